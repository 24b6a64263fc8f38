// The set-up every chart shares, written once: the chart's root element, its SVG and tooltip,
// theme colors resolved at each draw, redraw on width change, and the update/destroy/export handle
// (chartFrame, and svgChart for a chart that is one SVG); the export of a chart drawn on a canvas
// (the canvas embedded as an image under the SVG); the plot area inside margins (plotArea); and
// styled axes, grid lines, axis titles and legends. A chart then only says what it draws.
import * as d3 from 'd3';
import { type Chart, type ThemeColors, Tooltip, availableWidth, onWidthChange, svgDocument, themeColors } from './common';

export interface Margin { top: number; right: number; bottom: number; left: number }

type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;
type Group = d3.Selection<SVGGElement, unknown, null, undefined>;

/** What a chart's draw function gets on every draw. */
export interface ChartFrame<D, O> {
  svg: Svg;
  data: D;
  options: O;
  colors: ThemeColors;
  tooltip: Tooltip;
  /** The container's width, at least `minWidth`. */
  width: number;
}

/** The chart's data and options; a chart that keeps them in its own variables passes accessors. */
export interface ChartState<D, O> { data: D; options: O }

/** Where a canvas sits under the SVG, so an export can embed it as a PNG <image>. */
export interface CanvasImage {
  canvas: HTMLCanvasElement;
  /** The image's box in the SVG (x and y only where the canvas is offset). */
  x?: number;
  y?: number;
  width: number;
  height: number;
  /** Stretch the pixels to the box (one pixel per cell) rather than keep their aspect ratio. */
  stretch?: boolean;
  /** Keep the pixels square when scaled up, as the live canvas shows them. */
  pixelated?: boolean;
  /** Selector of the group the image goes first into; default: the SVG itself, under everything drawn. */
  into?: string;
}

/** What a chart with more than one SVG's worth of parts adds to the frame. */
export interface FrameSetup {
  /** Builds the chart's own elements in its root (controls, a canvas, lists) and returns where the SVG goes; default: the root. */
  layout?: (root: HTMLDivElement) => HTMLElement;
  /** Class of the SVG element. */
  svgClass?: string;
  /** Smallest width drawn at (default 0: the container's). */
  minWidth?: number;
  /** The canvas under the SVG while the chart draws on one; null when it draws SVG only. */
  canvasImage?: () => CanvasImage | null;
  /** More to release on destroy (listeners). */
  destroy?: () => void;
}

/** A chart's frame: its parts, and `redraw` for the chart's own controls (it does not count as an update from outside). */
export interface Frame {
  root: HTMLDivElement;
  svg: Svg;
  tooltip: Tooltip;
  redraw(): void;
}

/**
 * The frame of any chart: `draw` runs now, on `update`, on `frame.redraw()` and when the container's
 * width changes. `className` is added after `ml-chart` on the chart's root element.
 */
export function chartFrame<D, O>(container: HTMLElement, className: string, state: ChartState<D, O>, setup: FrameSetup,
  draw: (frame: ChartFrame<D, O>) => void): { frame: Frame; chart: Chart<D, O> } {
  let colors = themeColors(container);
  const root = document.createElement('div');
  root.className = `ml-chart ${className}`;
  container.appendChild(root);
  const svgParent = setup.layout?.(root) ?? root;
  const svg = d3.select(svgParent).append('svg') as Svg;
  if (setup.svgClass) svg.attr('class', setup.svgClass);
  const tooltip = new Tooltip();
  function render(): void {
    colors = themeColors(container);
    draw({ svg, data: state.data, options: state.options, colors, tooltip, width: drawWidth(availableWidth(container), setup.minWidth ?? 0) });
  }
  render();
  const stopResize = onWidthChange(container, render);
  return {
    frame: { root, svg, tooltip, redraw: render },
    chart: {
      update(next, nextOptions) {
        if (next) state.data = next;
        if (nextOptions) state.options = { ...state.options, ...nextOptions };
        render();
      },
      destroy() { stopResize(); tooltip.destroy(); setup.destroy?.(); root.remove(); },
      exportSvg() { const node = svg.node(); return node ? exportWithCanvas(node, colors, setup.canvasImage?.() ?? null) : ''; },
    },
  };
}

/**
 * The width a chart draws at: its container's, so it is never clipped (a side bar is often
 * narrower than a chart's preferred minimum); `minWidth` only where the container is narrower
 * than any chart can be read at (NARROWEST), e.g. a hidden one.
 */
export function drawWidth(available: number, minWidth: number): number {
  return available >= NARROWEST ? available : Math.max(minWidth, available);
}
const NARROWEST = 200;

/** A standalone SVG document of the chart, with its canvas (if it drew on one) as a PNG image in place. */
function exportWithCanvas(svg: SVGSVGElement, colors: ThemeColors, image: CanvasImage | null): string {
  return svgDocument(svg, colors, (copy) => {
    if (!image) return;
    const img = document.createElementNS('http://www.w3.org/2000/svg', 'image');
    if (image.x !== undefined) img.setAttribute('x', String(image.x));
    if (image.y !== undefined) img.setAttribute('y', String(image.y));
    img.setAttribute('width', String(image.width));
    img.setAttribute('height', String(image.height));
    if (image.stretch) img.setAttribute('preserveAspectRatio', 'none');
    if (image.pixelated) img.style.setProperty('image-rendering', 'pixelated');
    img.setAttribute('href', image.canvas.toDataURL('image/png'));
    if (image.into) {
      const parent = copy.querySelector(image.into);
      parent?.insertBefore(img, parent.firstChild);
    } else {
      // Right above the background rect that svgDocument puts first.
      copy.insertBefore(img, copy.children[1] ?? null);
    }
  });
}

/**
 * A chart drawn into one SVG: `draw` runs now, on `update`, and when the container's width changes.
 * `className` is added after `ml-chart` on the chart's root element.
 */
export function svgChart<D, O>(container: HTMLElement, className: string, initialData: D, options: O, minWidth: number,
  draw: (frame: ChartFrame<D, O>) => void): Chart<D, O> {
  return chartFrame(container, className, { data: initialData, options }, { minWidth }, draw).chart;
}

export interface PlotArea {
  /** The group translated to the plot area's top-left corner. */
  g: Group;
  /** Plot-area width and height (inside the margins). */
  w: number;
  h: number;
}

/** Clears the SVG, sizes it (`width` × `height` in all), and opens the plot area inside `margin`. */
export function plotArea(svg: Svg, colors: ThemeColors, width: number, height: number, margin: Margin): PlotArea {
  svg.selectAll('*').remove();
  svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`).attr('font-size', 11).attr('fill', colors.foreground);
  const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`) as Group;
  return { g, w: width - margin.left - margin.right, h: height - margin.top - margin.bottom };
}

/** Axis text in the chart's font at 10px, muted lines, foreground labels. */
function styleAxis(axis: Group, colors: ThemeColors): void {
  axis.attr('font-family', null).attr('font-size', 10);
  axis.selectAll('path,line').attr('stroke', colors.muted);
  axis.selectAll('text').attr('fill', colors.foreground);
}

/** A bottom axis at the foot of the plot area. */
export function bottomAxis(area: PlotArea, axis: (selection: Group) => void, colors: ThemeColors): Group {
  const a = area.g.append('g').attr('transform', `translate(0,${area.h})`).call(axis);
  styleAxis(a, colors);
  return a;
}

/** A left axis along the plot area. */
export function leftAxis(area: PlotArea, axis: (selection: Group) => void, colors: ThemeColors): Group {
  const a = area.g.append('g').call(axis);
  styleAxis(a, colors);
  return a;
}

/** Faint horizontal lines at the y values given (or vertical ones at x values with `vertical`). */
export function gridLines(area: PlotArea, at: number[], scale: (v: number) => number, colors: ThemeColors, vertical = false, opacity = 0.3): void {
  const lines = area.g.append('g').attr('class', 'grid').attr('stroke', colors.grid).attr('stroke-opacity', opacity).selectAll('line').data(at).join('line');
  if (vertical) lines.attr('x1', (d) => scale(d)).attr('x2', (d) => scale(d)).attr('y1', 0).attr('y2', area.h);
  else lines.attr('x1', 0).attr('x2', area.w).attr('y1', (d) => scale(d)).attr('y2', (d) => scale(d));
}

/** The x axis title, centered under the axis `below` px beneath the plot area. */
export function xTitle(area: PlotArea, text: string, colors: ThemeColors, below = 32): void {
  area.g.append('text').attr('x', area.w / 2).attr('y', area.h + below).attr('text-anchor', 'middle').attr('fill', colors.muted).text(text);
}

/** The y axis title, rotated, `left` px left of the plot area. */
export function yTitle(area: PlotArea, text: string, colors: ThemeColors, left: number): void {
  area.g.append('text').attr('transform', `translate(${-left},${area.h / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', colors.muted).text(text);
}

export interface LegendEntry { label: string; color: string }

/** A one-line legend of colored names ending at `right` on baseline `y` (right-aligned, in entry order). */
export function inlineLegend(parent: Group, entries: LegendEntry[], right: number, y: number): void {
  const legend = parent.append('g').attr('class', 'legend');
  let x = right;
  for (const entry of [...entries].reverse()) {
    const text = legend.append('text').attr('x', x).attr('y', y).attr('text-anchor', 'end').attr('font-weight', 600).attr('fill', entry.color).text(entry.label);
    x -= (text.node()?.getComputedTextLength?.() ?? entry.label.length * 7) + 14;
  }
}

/** A legend of swatches, one entry a row from `top` (16 px apart), starting at x = 0 of `parent`. */
export function swatchLegend(parent: Group, entries: LegendEntry[], top: number): void {
  entries.forEach((entry, i) => {
    const y = top + i * 16;
    parent.append('rect').attr('x', 0).attr('y', y - 5).attr('width', 10).attr('height', 10).attr('fill', entry.color).attr('fill-opacity', 0.6).attr('stroke', entry.color);
    parent.append('text').attr('class', 'legend-label').attr('x', 16).attr('y', y).attr('dy', '0.35em').text(entry.label);
  });
}
