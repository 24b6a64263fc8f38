// The drawing of the cluster map, one function per layer: the plot frame, axes, points (SVG, or
// canvas above the threshold), centroid lines and diamonds, highlights and labels, and the legend,
// which sits in a column of its own right of the plot so it never covers a point or a label. Each
// function reads the scene the map (cluster-map.ts) hands it and draws; none keeps state.
import * as d3 from 'd3';
import { type ThemeColors, clip, fmt } from './common';
import { type ClusterMark, plusPath, shapePath } from './cluster-marks';
import type { Neighbour } from './nearest-neighbours';

export interface ClusterMapData {
  labels: string[];
  /** n × 2 coordinates, row-major (x0, y0, x1, y1, …). */
  coords: ArrayLike<number>;
  /** Cluster label per point; negative means noise. */
  clusters: ArrayLike<number>;
  /** A value per point (e.g. t), for `colorBy: 'value'`. */
  values?: ArrayLike<number>;
  /** Name of the value, for the legend and tooltip. */
  valueLabel?: string;
  /** The original vectors (n × dims, row-major), for nearest neighbours in the original space. */
  vectors?: { data: ArrayLike<number>; dims: number };
}

export interface ClusterMapOptions {
  height: number;
  colorBy: 'cluster' | 'value';
  /** Draw point labels: 'auto' draws them up to 250 points (SVG only); highlighted points are always labelled. */
  labels: boolean | 'auto';
  /** Lines from points to their cluster centroid; 'auto' draws them up to 5,000 points, where they still read. */
  centroidLines: boolean | 'auto';
  /** More points than this draw on canvas. */
  canvasThreshold: number;
  /** k for the nearest-neighbour list of a clicked point. */
  neighbours: number;
  metric: 'cosine' | 'euclidean';
  /** Overrides the built-in search over `data.vectors` (e.g. a worker query). */
  neighbourFunction?: (index: number, k: number) => Neighbour[];
  /** Regex (case-insensitive) whose matching labels are highlighted. */
  search: string;
  /** Show the per-cluster member lists below the map. */
  memberLists: boolean;
  /** At most this many names per member list; the rest is counted. */
  memberListLimit: number;
}

type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;

/** The plot rectangle inside the SVG, in pixels, and the scales that map data into it. */
export interface Geometry {
  x: d3.ScaleLinear<number, number>;
  y: d3.ScaleLinear<number, number>;
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** What every drawing function reads: the map's state at this draw. */
export interface MapScene {
  svg: Svg;
  colors: ThemeColors;
  data: ClusterMapData;
  options: ClusterMapOptions;
  geometry: Geometry;
  /** Pixel positions under the current zoom, x and y interleaved. */
  screen: Float64Array;
  /** The cluster's mark: color and shape. */
  mark(cluster: number): ClusterMark;
  pointColor(i: number): string;
  valueScale: d3.ScaleDiverging<string>;
}

const NOISE_SIZE = 4;
const LEGEND_WIDTH = 118;
const AXIS_MARGIN = 30;

export const isNoise = (data: ClusterMapData, i: number) => data.clusters[i] < 0;

/** Width of the legend column right of the plot (0 when there is nothing to explain). */
export function legendWidth(data: ClusterMapData, width: number): number {
  // Below 420 px the column would squeeze the map: the member lists below show the swatches then.
  return data.labels.length && width >= 420 ? LEGEND_WIDTH : 0;
}

/** Same units on both axes (a t-SNE map has no preferred direction), centred in the plot. */
export function equalAspectGeometry(data: ClusterMapData, width: number, height: number, legend: number): Geometry {
  const n = data.labels.length;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const px = data.coords[2 * i], py = data.coords[2 * i + 1];
    if (px < x0) x0 = px; if (px > x1) x1 = px; if (py < y0) y0 = py; if (py > y1) y1 = py;
  }
  if (!n) { x0 = x1 = y0 = y1 = 0; }
  const left = AXIS_MARGIN, right = width - AXIS_MARGIN / 2 - legend, top = AXIS_MARGIN / 2, bottom = height - AXIS_MARGIN;
  // 12 px of air around the points.
  const unit = Math.min((right - left - 24) / (x1 - x0 || 1), (bottom - top - 24) / (y1 - y0 || 1));
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const halfWidth = (right - left) / 2 / unit, halfHeight = (bottom - top) / 2 / unit;
  return {
    x: d3.scaleLinear().domain([cx - halfWidth, cx + halfWidth]).range([left, right]),
    y: d3.scaleLinear().domain([cy - halfHeight, cy + halfHeight]).range([bottom, top]),
    width, height, left, right, top, bottom,
  };
}

/** Clears the SVG and lays out the layers every later draw fills; returns the body group. */
export function drawFrame(svg: Svg, colors: ThemeColors, g: Geometry): void {
  const plotBox = (sel: d3.Selection<SVGRectElement, unknown, null, undefined>) =>
    sel.attr('x', g.left).attr('y', g.top).attr('width', g.right - g.left).attr('height', g.bottom - g.top);
  svg.attr('width', g.width).attr('height', g.height).attr('viewBox', `0 0 ${g.width} ${g.height}`)
    .attr('font-size', 11).attr('fill', colors.foreground);
  plotBox(svg.append('rect').attr('class', 'frame')).attr('fill', 'none').attr('stroke', colors.border);
  svg.append('g').attr('class', 'x-axis');
  svg.append('g').attr('class', 'y-axis');
  const clipId = `ml-cluster-clip-${Math.random().toString(36).slice(2)}`;
  plotBox(svg.append('clipPath').attr('id', clipId).append('rect'));
  const body = svg.append('g').attr('class', 'body').attr('clip-path', `url(#${clipId})`);
  body.append('path').attr('class', 'centroid-lines').attr('fill', 'none').attr('stroke-width', 0.8).attr('stroke-opacity', 0.45);
  body.append('g').attr('class', 'points');
  body.append('g').attr('class', 'centroids');
  body.append('g').attr('class', 'neighbour-links').attr('data-export', 'omit');
  body.append('g').attr('class', 'highlights');
  body.append('g').attr('class', 'labels');
  body.append('path').attr('class', 'lasso').attr('fill', colors.focus).attr('fill-opacity', 0.08)
    .attr('stroke', colors.focus).attr('stroke-dasharray', '4,3').attr('data-export', 'omit');
}

/** The transparent rectangle over the plot that takes the pointer. */
export function drawOverlay(svg: Svg, g: Geometry, lassoMode: boolean): d3.Selection<SVGRectElement, unknown, null, undefined> {
  return svg.append('rect').attr('class', 'overlay').attr('x', g.left).attr('y', g.top)
    .attr('width', g.right - g.left).attr('height', g.bottom - g.top)
    .attr('fill', 'transparent').attr('data-export', 'omit').style('cursor', lassoMode ? 'crosshair' : 'grab');
}

export function drawAxes(scene: MapScene, x: d3.ScaleLinear<number, number>, y: d3.ScaleLinear<number, number>): void {
  const { svg, colors, geometry: g } = scene;
  const xa = svg.select<SVGGElement>('g.x-axis').attr('transform', `translate(0,${g.bottom})`)
    .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor((g.right - g.left) / 110))).tickSizeOuter(0));
  const ya = svg.select<SVGGElement>('g.y-axis').attr('transform', `translate(${g.left},0)`)
    .call(d3.axisLeft(y).ticks(Math.max(2, Math.floor(g.height / 80))).tickSizeOuter(0));
  for (const a of [xa, ya]) {
    a.attr('font-family', null).attr('font-size', 9);
    a.selectAll('path').remove();
    a.selectAll('line').attr('stroke', colors.muted).attr('stroke-opacity', 0.6);
    a.selectAll('text').attr('fill', colors.muted);
  }
}

/** Cluster centroids in data coordinates (noise excluded). */
export function centroids(data: ClusterMapData): Map<number, [number, number]> {
  const sums = new Map<number, [number, number, number]>();
  for (let i = 0; i < data.labels.length; i++) {
    if (isNoise(data, i)) continue;
    const s = sums.get(data.clusters[i]) ?? [0, 0, 0];
    s[0] += data.coords[2 * i]; s[1] += data.coords[2 * i + 1]; s[2]++;
    sums.set(data.clusters[i], s);
  }
  return new Map([...sums].map(([c, [sx, sy, k]]) => [c, [sx / k, sy / k]]));
}

export function showCentroidLines(scene: Pick<MapScene, 'options' | 'data'>): boolean {
  const { options } = scene;
  if (options.colorBy !== 'cluster') return false;
  return options.centroidLines === true || (options.centroidLines === 'auto' && scene.data.labels.length <= 5000);
}

export function allLabels(scene: Pick<MapScene, 'options' | 'data'>): boolean {
  return scene.options.labels === true || (scene.options.labels === 'auto' && scene.data.labels.length <= 250);
}

function centroidLinePath(scene: MapScene, centroidScreen: Map<number, [number, number]>): string {
  const { data, screen } = scene;
  const parts: string[] = [];
  for (let i = 0; i < data.labels.length; i++) {
    const c = centroidScreen.get(data.clusters[i]);
    if (!c || isNoise(data, i)) continue;
    parts.push(`M${r1(screen[2 * i])},${r1(screen[2 * i + 1])}L${r1(c[0])},${r1(c[1])}`);
  }
  return parts.join('');
}

/** The point marks as SVG paths; with `previousScreen` (a re-run of the same points) they glide there. */
export function drawSvgPoints(scene: MapScene, centroidScreen: Map<number, [number, number]>, previousScreen: Float64Array | null): void {
  const { svg, data, options, colors, screen } = scene;
  const body = svg.select('g.body');
  body.select('path.centroid-lines')
    .attr('d', showCentroidLines(scene) ? centroidLinePath(scene, centroidScreen) : null)
    .attr('stroke', colors.muted);
  const n = data.labels.length;
  const radius = n > 600 ? 2.5 : 4;
  const byValue = options.colorBy === 'value' && data.values !== undefined;
  const marks = body.select('g.points').selectAll<SVGPathElement, number>('path.mark').data(d3.range(n), (i) => String(i));
  const entered = marks.join('path')
    .attr('class', (i) => (isNoise(data, i) ? 'mark noise' : 'mark point'))
    .attr('data-index', (i) => i)
    .attr('data-shape', (i) => (isNoise(data, i) ? 'plus' : byValue ? 'circle' : scene.mark(data.clusters[i]).shapeName))
    .attr('d', (i) => (isNoise(data, i) ? plusPath(NOISE_SIZE) : shapePath(byValue ? d3.symbolCircle : scene.mark(data.clusters[i]).shape, radius)))
    .attr('fill', (i) => (isNoise(data, i) ? 'none' : scene.pointColor(i)))
    // Near-white RdBu values need an outline to stay visible on a light background.
    .attr('stroke', (i) => (isNoise(data, i) ? scene.pointColor(i) : byValue ? colors.muted : colors.background))
    .attr('stroke-width', (i) => (isNoise(data, i) ? 1.4 : 0.6));
  const place = (i: number) => `translate(${screen[2 * i]},${screen[2 * i + 1]})`;
  if (previousScreen && previousScreen.length === screen.length) {
    const from = previousScreen;
    entered.attr('transform', (i) => `translate(${from[2 * i]},${from[2 * i + 1]})`).transition().duration(600).attr('transform', place);
  } else {
    entered.attr('transform', place);
  }
}

/** Points grouped by color and shape, so a canvas draws tens of thousands with a few fills. */
export type MarkGroups = Map<string, { color: string; shape: d3.SymbolType | null; points: number[]; noise: number[] }>;

export function markGroups(scene: MapScene): MarkGroups {
  const { data, options } = scene;
  const byValue = options.colorBy === 'value' && data.values !== undefined;
  const groups: MarkGroups = new Map();
  for (let i = 0; i < data.labels.length; i++) {
    const color = scene.pointColor(i);
    // Squares of 3 px for the first ten clusters (and values): the cheapest mark that reads.
    const shape = byValue || isNoise(data, i) ? null : scene.mark(data.clusters[i]).shape;
    const drawn = shape === d3.symbolCircle ? null : shape;
    const key = `${color}|${drawn ? SHAPE_KEYS.get(drawn) : ''}`;
    let g = groups.get(key);
    if (!g) { g = { color, shape: drawn, points: [], noise: [] }; groups.set(key, g); }
    (isNoise(data, i) ? g.noise : g.points).push(i);
  }
  return groups;
}
const SHAPE_KEYS = new Map<d3.SymbolType, string>([[d3.symbolSquare, 's'], [d3.symbolTriangle, 't'], [d3.symbolStar, '*'], [d3.symbolWye, 'y']]);

export function drawCanvasPoints(scene: MapScene, canvas: HTMLCanvasElement, groups: MarkGroups, centroidScreen: Map<number, [number, number]>): void {
  const { geometry: g, colors, screen } = scene;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(g.width * dpr);
  canvas.height = Math.round(g.height * dpr);
  Object.assign(canvas.style, { left: '0px', top: '0px', width: `${g.width}px`, height: `${g.height}px`, pointerEvents: 'none' });
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, g.width, g.height);
  ctx.save();
  ctx.beginPath();
  ctx.rect(g.left, g.top, g.right - g.left, g.bottom - g.top);
  ctx.clip();
  if (showCentroidLines(scene)) {
    ctx.strokeStyle = colors.muted;
    ctx.globalAlpha = 0.25;
    ctx.lineWidth = 0.6;
    ctx.stroke(new Path2D(centroidLinePath(scene, centroidScreen)));
  }
  ctx.globalAlpha = 0.8;
  ctx.lineWidth = 1;
  for (const { color, shape, points, noise } of groups.values()) {
    if (points.length) {
      ctx.fillStyle = color;
      ctx.beginPath();
      if (shape) for (const i of points) shapeOnCanvas(ctx, shape, 2.2, screen[2 * i], screen[2 * i + 1]);
      else for (const i of points) ctx.rect(screen[2 * i] - 1.5, screen[2 * i + 1] - 1.5, 3, 3);
      ctx.fill();
    }
    if (noise.length) {
      ctx.strokeStyle = color;
      ctx.beginPath();
      for (const i of noise) {
        const px = screen[2 * i], py = screen[2 * i + 1];
        ctx.moveTo(px - 3, py); ctx.lineTo(px + 3, py); ctx.moveTo(px, py - 3); ctx.lineTo(px, py + 3);
      }
      ctx.stroke();
    }
  }
  ctx.restore();
}

export function drawCentroids(scene: MapScene, centroidScreen: Map<number, [number, number]>): void {
  const { svg, options, colors } = scene;
  const diamond = d3.symbol(d3.symbolDiamond, 130)() ?? '';
  svg.select('g.centroids').selectAll<SVGPathElement, [number, [number, number]]>('path.centroid')
    .data([...centroidScreen], (d) => String(d[0]))
    .join('path')
    .attr('class', 'centroid')
    .attr('data-cluster', (d) => d[0])
    .attr('d', diamond)
    .attr('transform', (d) => `translate(${d[1][0]},${d[1][1]})`)
    .attr('fill', (d) => (options.colorBy === 'cluster' ? scene.mark(d[0]).color : colors.widgetBackground))
    .attr('stroke', colors.foreground)
    .attr('stroke-width', 1.2);
}

/** What is highlighted: the selection, the search matches and the clicked point with its neighbours. */
export interface Highlights {
  selection: ReadonlySet<number>;
  searchMatches: ReadonlySet<number>;
  neighbourOf: { index: number; list: Neighbour[] } | null;
}

export function highlightedIndices(h: Highlights): number[] {
  const set = new Set<number>([...h.selection, ...h.searchMatches]);
  if (h.neighbourOf) { set.add(h.neighbourOf.index); h.neighbourOf.list.forEach((nb) => set.add(nb.index)); }
  return [...set].sort((a, b) => a - b);
}

function drawLabels(scene: MapScene, indices: number[], emphasized: ReadonlySet<number>): void {
  const { svg, data, colors, screen } = scene;
  svg.select('g.labels').selectAll<SVGTextElement, number>('text.label').data(indices, (i) => String(i))
    .join('text')
    .attr('class', (i) => (emphasized.has(i) ? 'label emphasized' : 'label'))
    .attr('data-index', (i) => i)
    .attr('x', (i) => screen[2 * i] + 5)
    .attr('y', (i) => screen[2 * i + 1] - 4)
    .attr('font-size', (i) => (emphasized.has(i) ? 11 : 9.5))
    .attr('font-weight', (i) => (emphasized.has(i) ? 600 : null))
    .attr('fill', (i) => (emphasized.has(i) ? colors.foreground : colors.muted))
    .attr('paint-order', 'stroke')
    .attr('stroke', colors.widgetBackground)
    .attr('stroke-width', 2.5)
    .attr('stroke-opacity', 0.8)
    .text((i) => clip(data.labels[i], 24));
}

/** Rings, neighbour links and labels; canvas maps label only what is highlighted (thousands of labels do not read). */
export function drawHighlights(scene: MapScene, h: Highlights, mode: 'svg' | 'canvas'): void {
  const { svg, colors, screen } = scene;
  const rings: { i: number; kind: string; color: string; r: number }[] = [];
  for (const i of h.searchMatches) rings.push({ i, kind: 'search-match', color: colors.warning, r: 7 });
  for (const i of h.selection) rings.push({ i, kind: 'selected', color: colors.focus, r: 6 });
  if (h.neighbourOf) h.neighbourOf.list.forEach((nb) => rings.push({ i: nb.index, kind: 'neighbour', color: colors.foreground, r: 5 }));
  svg.select('g.highlights').selectAll<SVGCircleElement, (typeof rings)[number]>('circle')
    .data(rings)
    .join('circle')
    .attr('class', (d) => d.kind)
    .attr('data-index', (d) => d.i)
    .attr('cx', (d) => screen[2 * d.i]).attr('cy', (d) => screen[2 * d.i + 1]).attr('r', (d) => d.r)
    .attr('fill', 'none').attr('stroke', (d) => d.color).attr('stroke-width', 1.8);
  const from = h.neighbourOf;
  const links = from ? from.list.map((nb) => [from.index, nb.index]) : [];
  svg.select('g.neighbour-links').selectAll('line').data(links).join('line')
    .attr('x1', (d) => screen[2 * d[0]]).attr('y1', (d) => screen[2 * d[0] + 1])
    .attr('x2', (d) => screen[2 * d[1]]).attr('y2', (d) => screen[2 * d[1] + 1])
    .attr('stroke', colors.foreground).attr('stroke-opacity', 0.5).attr('stroke-dasharray', '2,2');
  svg.select('g.points').attr('opacity', h.searchMatches.size > 0 || h.selection.size > 0 ? 0.55 : 1);
  const highlighted = highlightedIndices(h);
  drawLabels(scene, mode === 'svg' && allLabels(scene) ? d3.range(scene.data.labels.length) : highlighted, new Set(highlighted));
}

/** Cluster swatches (shape and color) in the legend column, then "+k more" and noise. */
export function drawClusterLegend(scene: MapScene, clusterIds: number[]): void {
  const { svg, data, colors, geometry: g } = scene;
  const rows = Math.max(1, Math.floor((g.bottom - g.top - 8) / 15) - 1);
  const hasNoise = Array.from(data.clusters).some((c) => c < 0);
  const room = hasNoise ? rows - 1 : rows;
  const shown = clusterIds.length > room ? clusterIds.slice(0, room - 1) : clusterIds;
  const entries: { label: string; mark: ClusterMark | null; noise: boolean }[] = shown.map((c) => ({ label: `cluster ${c}`, mark: scene.mark(c), noise: false }));
  if (shown.length < clusterIds.length) entries.push({ label: `+${clusterIds.length - shown.length} more`, mark: null, noise: false });
  if (hasNoise) entries.push({ label: 'noise', mark: null, noise: true });
  if (!entries.length) return;
  const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(${g.right + 14},${g.top + 8})`);
  entries.forEach((e, k) => {
    const row = legend.append('g').attr('class', 'legend-entry').attr('transform', `translate(4,${k * 15})`);
    if (e.noise) row.append('path').attr('d', plusPath(NOISE_SIZE)).attr('stroke', colors.muted).attr('fill', 'none');
    else if (e.mark) row.append('path').attr('class', 'legend-mark').attr('data-shape', e.mark.shapeName).attr('d', shapePath(e.mark.shape, 4)).attr('fill', e.mark.color);
    row.append('text').attr('x', 10).attr('dy', '0.35em').attr('font-size', 10).attr('fill', e.mark || e.noise ? colors.foreground : colors.muted).text(e.label);
  });
}

/** The diverging value scale as a vertical bar in the legend column, with its ends and the value's name. */
export function drawValueLegend(scene: MapScene): void {
  const { svg, data, colors, geometry: g, valueScale } = scene;
  const [lo, , hi] = valueScale.domain();
  const legend = svg.append('g').attr('class', 'legend value-legend').attr('transform', `translate(${g.right + 14},${g.top + 8})`);
  const id = `ml-cluster-grad-${Math.random().toString(36).slice(2)}`;
  const gradient = legend.append('defs').append('linearGradient').attr('id', id).attr('x1', 0).attr('x2', 0).attr('y1', 1).attr('y2', 0);
  d3.range(0, 1.0001, 0.1).forEach((t) => gradient.append('stop').attr('offset', `${t * 100}%`).attr('stop-color', valueScale(lo + t * (hi - lo))));
  const barHeight = Math.min(160, g.bottom - g.top - 40);
  legend.append('text').attr('x', 0).attr('y', 0).attr('font-size', 10).attr('font-weight', 600).text(data.valueLabel ?? 'value');
  legend.append('rect').attr('y', 10).attr('width', 10).attr('height', barHeight).attr('fill', `url(#${id})`).attr('stroke', colors.border);
  legend.append('text').attr('x', 16).attr('y', 14).attr('font-size', 10).text(fmt(hi, 2));
  legend.append('text').attr('x', 16).attr('y', 10 + barHeight).attr('font-size', 10).text(fmt(lo, 2));
}

/** Draws `shape` (area of a circle of radius r) centred at (x, y) into the current canvas path. */
export function shapeOnCanvas(ctx: CanvasRenderingContext2D, shape: d3.SymbolType, r: number, x: number, y: number): void {
  const shifted = {
    moveTo: (a: number, b: number) => ctx.moveTo(x + a, y + b),
    lineTo: (a: number, b: number) => ctx.lineTo(x + a, y + b),
    closePath: () => ctx.closePath(),
    rect: (a: number, b: number, w: number, h: number) => ctx.rect(x + a, y + b, w, h),
    arc: (a: number, b: number, radius: number, start: number, end: number) => { ctx.moveTo(x + a + radius, y + b); ctx.arc(x + a, y + b, radius, start, end); },
  };
  shape.draw(shifted as unknown as Parameters<d3.SymbolType["draw"]>[0], Math.PI * r * r);
}

function r1(v: number): string {
  return v.toFixed(1);
}
