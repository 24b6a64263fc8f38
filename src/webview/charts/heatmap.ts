// Similarity heatmap: SVG cells up to `svgThreshold` items, a canvas image above it (one pixel per
// cell, scaled), so 2,000 × 2,000 stays smooth. Axes, category separators, the legend and hover
// marks are always SVG on top. Hover shows the pair in this space and, given a partner matrix, in
// the other one; click selects a word.
import * as d3 from 'd3';
import { type Chart, type ThemeColors, categoryColor, clip, fmt, textWidth } from './common';
import { type ChartFrame, chartFrame } from './frame';
import { type HeatmapControls, heatmapControls } from './heatmap-controls';
import { readHeatmapSettings } from './heatmap-settings';
import { type HeatmapPalettes, type HeatmapScheme, divergingInterpolator, isDivergingPalette, sequentialInterpolator } from './palettes';
import { tracked } from './spec';

export type { HeatmapPalettes, HeatmapScheme } from './palettes';

/** n × n values: rows of numbers (Result JSON) or one row-major typed array. */
export type SquareValues = number[][] | Float32Array | Float64Array;

export interface HeatmapData {
  labels: string[];
  values: SquareValues;
  /** Category of each item, in item order (items of a category are contiguous). */
  categories?: (string | null)[];
  /** Name of this space, for the tooltip. */
  name?: string;
  /** The same pairs in another space, shown in the tooltip too. */
  partner?: { name: string; values: SquareValues };
}

export interface HeatmapOptions {
  /** Color range; null picks one from the data (symmetric around 0 when diverging). */
  domain: [number, number] | null;
  scheme: HeatmapScheme;
  /** At most this many items draw as SVG cells; more draw on canvas. */
  svgThreshold: number;
  /** Largest side of the matrix in pixels. */
  maxSize: number;
  /** Show the min/max/scheme controls above the chart. */
  controls: boolean;
  /** The palette of each scheme: by default the `mechlens.heatmap.colorScheme` setting's for its kind, else RdBu and viridis. */
  palettes: HeatmapPalettes;
  /**
   * The scheme a panel would pick when neither `scheme` (the user's choice in this chart) nor the
   * color-scheme setting decides: a diverging palette setting starts diverging, a sequential one sequential.
   */
  preferredScheme?: HeatmapScheme;
  onHover?: (pair: [number, number] | null) => void;
  onSelect?: (index: number | null) => void;
  onRangeChange?: (domain: [number, number], scheme: HeatmapScheme) => void;
}

export interface HeatmapChart extends Chart<HeatmapData, HeatmapOptions> {
  /** Marks a cell from outside (linked hover); null clears it. */
  highlight(pair: [number, number] | null): void;
  select(index: number | null): void;
  readonly mode: 'svg' | 'canvas';
  /** The color range in use, after automatic choice. */
  readonly domain: [number, number];
}

const defaults: HeatmapOptions = { domain: null, scheme: 'diverging', svgThreshold: 150, maxSize: 560, controls: true, palettes: { diverging: 'RdBu', sequential: 'viridis' } };

/**
 * The options a heatmap starts with: the chart's defaults, then the user's heatmap settings (canvas
 * threshold, palette, and scheme unless the panel gives one), then what the panel gives.
 */
function initialHeatmapOptions(given: Partial<HeatmapOptions>, settings = readHeatmapSettings()): HeatmapOptions {
  const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<HeatmapOptions>;
  const palette = settings.colorScheme;
  const palettes: HeatmapPalettes = {
    diverging: palette && isDivergingPalette(palette) ? palette : defaults.palettes.diverging,
    sequential: palette && !isDivergingPalette(palette) ? palette : defaults.palettes.sequential,
  };
  const settingScheme: HeatmapScheme | undefined = palette ? (isDivergingPalette(palette) ? 'diverging' : 'sequential') : undefined;
  return {
    ...defaults,
    ...(settings.canvasThreshold !== undefined ? { svgThreshold: settings.canvasThreshold } : {}),
    palettes,
    ...set,
    scheme: set.scheme ?? settingScheme ?? set.preferredScheme ?? defaults.scheme,
  };
}

function valueAt(values: SquareValues, n: number, i: number, j: number): number {
  return Array.isArray(values) ? values[i][j] : values[i * n + j];
}

/** A range that shows structure: off-diagonal extent, rounded out to 0.05, symmetric when diverging. */
export function autoDomain(values: SquareValues, n: number, scheme: HeatmapScheme): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const flat = Array.isArray(values) ? null : values;
  for (let i = 0; i < n; i++) {
    const row = flat ? null : (values as number[][])[i];
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const v = flat ? flat[i * n + j] : (row as number[])[j];
      // v - v is NaN for NaN and ±Infinity.
      if (v - v !== 0) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return scheme === 'diverging' ? [-1, 1] : [0, 1];
  const step = 0.05;
  if (scheme === 'diverging') {
    const m = Math.max(step, Math.ceil(Math.max(Math.abs(lo), Math.abs(hi)) / step - 1e-9) * step);
    return [-round(m), round(m)];
  }
  const a = Math.floor(lo / step + 1e-9) * step;
  const b = Math.ceil(hi / step - 1e-9) * step;
  return a === b ? [round(a - step), round(b + step)] : [round(a), round(b)];
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

export function colorScale(domain: [number, number], scheme: HeatmapScheme, palettes: HeatmapPalettes = defaults.palettes): (v: number) => string {
  const [lo, hi] = domain;
  if (scheme === 'diverging') {
    // RdBu reversed: red = similar, blue = dissimilar, white at the middle of the range.
    const s = d3.scaleDiverging(divergingInterpolator(palettes.diverging)).domain([lo, (lo + hi) / 2, hi]).clamp(true);
    return (v) => s(v);
  }
  const s = d3.scaleSequential(sequentialInterpolator(palettes.sequential)).domain([lo, hi]).clamp(true);
  return (v) => s(v);
}

/** Contiguous runs of equal category: [start, end) with the name. */
export function categoryBlocks(categories: (string | null)[] | undefined): { name: string | null; start: number; end: number }[] {
  if (!categories || categories.length === 0) return [];
  const blocks: { name: string | null; start: number; end: number }[] = [];
  for (let i = 0; i < categories.length; i++) {
    const last = blocks[blocks.length - 1];
    if (last && last.name === categories[i]) last.end = i + 1;
    else blocks.push({ name: categories[i], start: i, end: i + 1 });
  }
  return blocks;
}

function drawHeatmap(container: HTMLElement, initialData: HeatmapData, initialOptions: Partial<HeatmapOptions> = {}): HeatmapChart {
  let data = initialData;
  let options: HeatmapOptions = initialHeatmapOptions(initialOptions);
  let domain: [number, number] = [0, 1];
  let colors: ThemeColors;
  let highlighted: [number, number] | null = null;
  let selected: number | null = null;
  let mode: 'svg' | 'canvas' = 'svg';
  let geometry = { left: 0, top: 0, size: 0, cell: 0 };
  let autoKey: { values: SquareValues; scheme: HeatmapScheme; domain: [number, number] } | null = null;

  const canvas = document.createElement('canvas');
  canvas.className = 'ml-heatmap-canvas';
  let body: HTMLDivElement;
  let controls: HeatmapControls;

  function render(f: ChartFrame<HeatmapData, HeatmapOptions>): void {
    const { svg, tooltip } = f;
    colors = f.colors;
    const n = data.labels.length;
    mode = n > options.svgThreshold ? 'canvas' : 'svg';
    if (!autoKey || autoKey.values !== data.values || autoKey.scheme !== options.scheme) {
      autoKey = { values: data.values, scheme: options.scheme, domain: autoDomain(data.values, n, options.scheme) };
    }
    domain = options.domain ?? autoKey.domain;
    controls.show(domain, options.scheme, options.controls);

    const fontSize = 11;
    const font = `${fontSize}px ${colors.fontFamily}`;
    const blocks = categoryBlocks(data.categories);
    const hasCategories = blocks.length > 1 || (blocks.length === 1 && blocks[0].name !== null);
    const width = f.width;
    const labelW = Math.min(120, d3.max(data.labels, (l) => textWidth(clip(l), font)) ?? 0) + 6;
    const strip = hasCategories ? 6 : 0;
    const legendW = 62;
    const left = labelW + strip + (strip ? 3 : 0);
    const top = (hasCategories ? 18 : 4) + strip + (strip ? 3 : 0);
    const size = Math.max(120, Math.min(options.maxSize, width - left - legendW));
    const cell = size / Math.max(1, n);
    const step = Math.max(1, Math.ceil((fontSize + 1) / cell));
    const bottom = labelW + 4 + (step > 1 ? 14 : 0);
    geometry = { left, top, size, cell };
    const totalW = left + size + legendW;
    const totalH = top + size + bottom;
    const color = colorScale(domain, options.scheme, options.palettes);

    svg.selectAll('*').remove();
    svg.attr('width', totalW).attr('height', totalH).attr('viewBox', `0 0 ${totalW} ${totalH}`)
      .attr('font-size', fontSize).attr('fill', colors.foreground).attr('role', 'img')
      .attr('aria-label', `${data.name ?? 'similarity'} heatmap of ${n} items`);
    const plot = svg.append('g').attr('class', 'plot').attr('transform', `translate(${left},${top})`);
    const cells = plot.append('g').attr('class', 'cells');

    if (mode === 'svg') {
      canvas.remove();
      const idx = d3.range(n * n);
      cells.selectAll('rect').data(idx).join('rect')
        .attr('class', 'cell')
        .attr('x', (k) => (k % n) * cell)
        .attr('y', (k) => Math.floor(k / n) * cell)
        // A hair of overlap hides the anti-aliasing seams between neighbouring cells.
        .attr('width', cell + 0.25)
        .attr('height', cell + 0.25)
        .attr('fill', (k) => {
          const v = valueAt(data.values, n, Math.floor(k / n), k % n);
          return Number.isFinite(v) ? color(v) : colors.widgetBackground;
        });
    } else {
      drawCanvas(n, color, left, top, size);
    }

    // Category separators: a gap in the background color between blocks.
    const sepW = Math.max(1, Math.min(2, cell * 0.15));
    const boundaries = blocks.slice(1).map((b) => b.start * cell);
    const seps = plot.append('g').attr('class', 'separators').attr('stroke', colors.widgetBackground).attr('stroke-width', sepW);
    for (const b of boundaries) {
      seps.append('line').attr('x1', b).attr('x2', b).attr('y1', 0).attr('y2', size);
      seps.append('line').attr('y1', b).attr('y2', b).attr('x1', 0).attr('x2', size);
    }

    if (hasCategories) {
      const catIndex = new Map<string | null, number>();
      blocks.forEach((b) => { if (!catIndex.has(b.name)) catIndex.set(b.name, catIndex.size); });
      const cats = plot.append('g').attr('class', 'categories');
      for (const b of blocks) {
        const c = b.name === null ? colors.muted : categoryColor(colors, catIndex.get(b.name) ?? 0);
        const x0 = b.start * cell;
        const w = (b.end - b.start) * cell;
        cats.append('rect').attr('x', x0).attr('y', -strip - 3).attr('width', Math.max(0.5, w - 1)).attr('height', strip).attr('fill', c);
        cats.append('rect').attr('y', x0).attr('x', -strip - 3).attr('height', Math.max(0.5, w - 1)).attr('width', strip).attr('fill', c);
        const name = b.name ?? '(none)';
        const maxChars = Math.max(0, Math.floor(w / (fontSize * 0.62)));
        if (maxChars >= 3) {
          cats.append('text').attr('class', 'category-label')
            .attr('x', x0 + w / 2).attr('y', -strip - 7).attr('text-anchor', 'middle')
            .attr('font-weight', 600).attr('fill', c)
            .text(clip(name, maxChars));
        }
      }
    }

    // Word ticks, thinned to every k-th when the cells are smaller than a line of text.
    const shown = d3.range(0, n, step);
    const yTicks = plot.append('g').attr('class', 'y-ticks').attr('text-anchor', 'end');
    yTicks.selectAll('text').data(shown).join('text')
      .attr('class', 'tick-label')
      .attr('x', -strip - (strip ? 6 : 4)).attr('y', (i) => (i + 0.5) * cell).attr('dy', '0.35em')
      .text((i) => clip(data.labels[i]));
    const xTicks = plot.append('g').attr('class', 'x-ticks').attr('text-anchor', 'end');
    xTicks.selectAll('text').data(shown).join('text')
      .attr('class', 'tick-label')
      .attr('transform', (i) => `translate(${(i + 0.5) * cell},${size + 4}) rotate(-90)`)
      .attr('dy', '0.35em')
      .text((i) => clip(data.labels[i]));
    if (step > 1) {
      svg.append('text').attr('class', 'tick-note').attr('x', left + size).attr('y', totalH - 2)
        .attr('text-anchor', 'end').attr('fill', colors.muted).attr('font-size', 10)
        .text(`every ${step}${ordinalSuffix(step)} label shown`);
    }

    drawLegend(plot, size, color);

    plot.append('g').attr('class', 'marks').attr('pointer-events', 'none').attr('data-export', 'omit');
    drawMarks(svg);

    plot.append('rect').attr('class', 'overlay').attr('width', size).attr('height', size)
      .attr('fill', 'transparent').attr('data-export', 'omit').style('cursor', 'crosshair')
      .on('mousemove', (event: MouseEvent) => {
        const pair = pairAt(event);
        if (!pair) return;
        showTooltip(pair, event);
        highlighted = pair;
        drawMarks();
        options.onHover?.(pair);
      })
      .on('mouseleave', () => {
        tooltip.hide();
        highlighted = null;
        drawMarks();
        options.onHover?.(null);
      })
      .on('click', (event: MouseEvent) => {
        const pair = pairAt(event);
        if (!pair) return;
        selected = selected === pair[0] ? null : pair[0];
        drawMarks();
        options.onSelect?.(selected);
      });
  }

  function pairAt(event: MouseEvent): [number, number] | null {
    const [x, y] = d3.pointer(event);
    const n = data.labels.length;
    const j = Math.floor(x / geometry.cell);
    const i = Math.floor(y / geometry.cell);
    return i >= 0 && j >= 0 && i < n && j < n ? [i, j] : null;
  }

  function showTooltip([i, j]: [number, number], event: MouseEvent): void {
    const n = data.labels.length;
    const lines = [`${data.name ?? 'value'}: ${fmt(valueAt(data.values, n, i, j))}`];
    if (data.partner) lines.push(`${data.partner.name}: ${fmt(valueAt(data.partner.values, n, i, j))}`);
    const ci = data.categories?.[i];
    const cj = data.categories?.[j];
    if (ci !== undefined || cj !== undefined) lines.push(ci === cj ? `within ${ci ?? '(none)'}` : `${ci ?? '(none)'} × ${cj ?? '(none)'}`);
    frame.tooltip.show(`${data.labels[i]} × ${data.labels[j]}`, lines, event.clientX, event.clientY);
  }

  function drawMarks(svg = frame.svg): void {
    const marks = svg.select<SVGGElement>('g.marks');
    marks.selectAll('*').remove();
    const { size, cell } = geometry;
    if (selected !== null && selected < data.labels.length) {
      marks.append('rect').attr('class', 'selected-row').attr('x', 0).attr('y', selected * cell).attr('width', size).attr('height', cell)
        .attr('fill', 'none').attr('stroke', colors.focus).attr('stroke-width', 1.5);
      marks.append('rect').attr('class', 'selected-col').attr('y', 0).attr('x', selected * cell).attr('height', size).attr('width', cell)
        .attr('fill', 'none').attr('stroke', colors.focus).attr('stroke-width', 1.5);
    }
    if (highlighted) {
      const [i, j] = highlighted;
      const w = Math.max(cell, 3);
      marks.append('rect').attr('class', 'hover-cell')
        .attr('x', (j + 0.5) * cell - w / 2).attr('y', (i + 0.5) * cell - w / 2).attr('width', w).attr('height', w)
        .attr('fill', 'none').attr('stroke', colors.foreground).attr('stroke-width', 1.5);
    }
  }

  function drawLegend(plot: d3.Selection<SVGGElement, unknown, null, undefined>, size: number, color: (v: number) => string): void {
    const id = `ml-grad-${Math.random().toString(36).slice(2, 9)}`;
    const g = plot.append('g').attr('class', 'legend').attr('transform', `translate(${size + 14},0)`);
    const grad = g.append('defs').append('linearGradient').attr('id', id).attr('x1', 0).attr('x2', 0).attr('y1', 1).attr('y2', 0);
    for (let k = 0; k <= 10; k++) {
      const t = k / 10;
      grad.append('stop').attr('offset', t).attr('stop-color', color(domain[0] + t * (domain[1] - domain[0])));
    }
    g.append('rect').attr('width', 12).attr('height', size).attr('fill', `url(#${id})`);
    const scale = d3.scaleLinear().domain(domain).range([size, 0]);
    const axis = g.append('g').attr('transform', 'translate(12,0)')
      .call(d3.axisRight(scale).ticks(Math.max(2, Math.floor(size / 60))).tickSizeOuter(0).tickFormat(d3.format('.2~f')));
    axis.select('.domain').remove();
    axis.selectAll('line').attr('stroke', colors.muted);
    axis.selectAll('text').attr('fill', colors.foreground).attr('font-size', 10);
    axis.attr('font-family', null);
  }

  let image: HTMLCanvasElement | null = null;
  let imageKey: { values: SquareValues; domain: [number, number]; scheme: HeatmapScheme; palettes: HeatmapPalettes } | null = null;
  function drawCanvas(n: number, color: (v: number) => string, left: number, top: number, size: number): void {
    // One pixel per cell through a 256-entry color table, then one scaled drawImage. The pixel
    // image is kept until data or colors change, so resizing only rescales it.
    const fresh = !imageKey || imageKey.values !== data.values || imageKey.domain[0] !== domain[0] ||
      imageKey.domain[1] !== domain[1] || imageKey.scheme !== options.scheme || imageKey.palettes !== options.palettes;
    if (fresh) paintImage(n, color);
    imageKey = { values: data.values, domain: [domain[0], domain[1]], scheme: options.scheme, palettes: options.palettes };
    if (!image) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(size * dpr);
    canvas.height = Math.round(size * dpr);
    canvas.style.width = `${size}px`;
    canvas.style.height = `${size}px`;
    canvas.style.left = `${left}px`;
    canvas.style.top = `${top}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    // Downsampling averages cells; upsampling keeps them crisp squares.
    ctx.imageSmoothingEnabled = n > canvas.width;
    ctx.imageSmoothingQuality = 'high';
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    if (!canvas.isConnected) body.insertBefore(canvas, body.firstChild);
  }

  let pixels: ImageData | null = null;
  function paintImage(n: number, color: (v: number) => string): void {
    // Whole RGBA pixels as one 32-bit word each (little-endian ABGR), so the hot loop does one
    // table read and one store per cell.
    const lut = new Uint32Array(256);
    for (let k = 0; k < 256; k++) {
      const c = d3.rgb(color(domain[0] + (k / 255) * (domain[1] - domain[0])));
      lut[k] = ((255 << 24) | (c.b << 16) | (c.g << 8) | c.r) >>> 0;
    }
    image ??= document.createElement('canvas');
    if (image.width !== n || image.height !== n) {
      image.width = n;
      image.height = n;
      pixels = null;
    }
    const ictx = image.getContext('2d');
    if (!ictx) return;
    pixels ??= ictx.createImageData(n, n);
    const out = new Uint32Array(pixels.data.buffer);
    const lo = domain[0];
    const scale = 255 / (domain[1] - domain[0] || 1);
    const flat = !Array.isArray(data.values) ? data.values : null;
    for (let i = 0; i < n; i++) {
      const row = flat ? null : (data.values as number[][])[i];
      const base = i * n;
      for (let j = 0; j < n; j++) {
        const v = flat ? flat[base + j] : (row as number[])[j];
        // v - v is NaN for NaN and ±Infinity: those cells stay transparent.
        if (v - v !== 0) { out[base + j] = 0; continue; }
        let k = ((v - lo) * scale + 0.5) | 0;
        k = k < 0 ? 0 : k > 255 ? 255 : k;
        out[base + j] = lut[k];
      }
    }
    ictx.putImageData(pixels, 0, 0);
  }

  // Last, once every variable above exists: the frame draws at once.
  const state = { get data() { return data; }, set data(d) { data = d; }, get options() { return options; }, set options(o) { options = o; } };
  const { frame, chart } = chartFrame(container, 'ml-heatmap', state, {
    layout: (root) => {
      controls = heatmapControls(options.palettes, {
        onRange: (range) => {
          options = { ...options, domain: range };
          frame.redraw();
          options.onRangeChange?.(range, options.scheme);
        },
        onScheme: (scheme) => {
          if (scheme === options.scheme) return;
          options = { ...options, scheme, domain: null };
          frame.redraw();
          options.onRangeChange?.(domain, scheme);
        },
      });
      body = document.createElement('div');
      body.className = 'ml-heatmap-body';
      root.append(controls.element, body);
      return body;
    },
    svgClass: 'ml-heatmap-svg',
    canvasImage: () => (mode === 'canvas' ? { canvas, into: 'g.cells', width: geometry.size, height: geometry.size, stretch: true } : null),
  }, render);

  return {
    ...chart,
    get mode() { return mode; },
    get domain() { return domain; },
    highlight(pair) {
      highlighted = pair;
      drawMarks();
    },
    select(index) {
      selected = index;
      drawMarks();
    },
  };
}

function ordinalSuffix(n: number): string {
  const t = n % 100;
  if (t >= 11 && t <= 13) return 'th';
  return ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const heatmap = tracked('heatmap', drawHeatmap);
