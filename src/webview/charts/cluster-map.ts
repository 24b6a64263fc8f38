// Cluster map: a 2-D embedding (t-SNE, PCA) with its clusters, in the course notebooks' style —
// points colored by cluster with a line to their centroid, noise as `+`, centroids as diamonds — or
// colored by a value on a diverging RdBu scale (t-values). Zoom and pan, hover, click or lasso to
// select (a `select` event links other views), a regex search that highlights labels, and the k
// nearest neighbours of a clicked point in the original space. Points draw as SVG up to
// `canvasThreshold` and on canvas above it; highlights, labels and axes stay SVG on top.
// This file draws and keeps the state; the toolbar, zoom, lasso and search are in
// cluster-map-interaction.ts, the lists below the map in cluster-members.ts, and the neighbour
// search in nearest-neighbours.ts. Every label reaches the page through textContent, never as HTML.
import * as d3 from 'd3';
import { type Chart, type ThemeColors, clip, fmt } from './common';
import { clusterDetails } from './cluster-members';
import { PointFinder, attachPointer, mapToolbar, pointsInPolygon, searchLabels } from './cluster-map-interaction';
import { el, note } from './form-elements';
import { chartFrame } from './frame';
import { type Neighbour, nearestNeighbours } from './nearest-neighbours';
import { tracked } from './spec';

export type { Neighbour } from './nearest-neighbours';

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

export type SelectionSource = 'click' | 'lasso' | 'search' | 'list' | 'clear';

export interface ClusterMapEvents {
  select: { indices: number[]; labels: string[]; source: SelectionSource };
  hover: { index: number | null };
  neighbours: { index: number; metric: string; neighbours: Neighbour[] };
}

export interface ClusterMapChart extends Chart<ClusterMapData, ClusterMapOptions> {
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof ClusterMapEvents>(event: E, callback: (detail: ClusterMapEvents[E]) => void): () => void;
  /** Sets the selection from outside (linked views); emits nothing, so views cannot loop. */
  select(indices: readonly number[]): void;
  resetZoom(): void;
  readonly selection: number[];
  readonly mode: 'svg' | 'canvas';
}

const defaults: ClusterMapOptions = {
  height: 480, colorBy: 'cluster', labels: 'auto', centroidLines: 'auto', canvasThreshold: 1500, neighbours: 8,
  metric: 'cosine', search: '', memberLists: true, memberListLimit: 60,
};

/**
 * Cluster colors: the k-th cluster id in ascending order gets the k-th color (cycling). Exported so a
 * panel's own cluster list can show the same swatches as the map.
 */
export function clusterPalette(colors: ThemeColors): readonly string[] {
  return [...colors.series, ...d3.schemeTableau10, ...d3.schemeSet3];
}

const NOISE_SIZE = 4;
const CLICK_RADIUS = 12;

interface Geometry { x: d3.ScaleLinear<number, number>; y: d3.ScaleLinear<number, number>; width: number; height: number; margin: number }

function drawClusterMap(container: HTMLElement, initialData: ClusterMapData, initialOptions: Partial<ClusterMapOptions> = {}): ClusterMapChart {
  let data = initialData;
  let options: ClusterMapOptions = { ...defaults, ...initialOptions };
  let colors: ThemeColors;
  let mode: 'svg' | 'canvas' = 'svg';
  let selection = new Set<number>();
  let neighbourOf: { index: number; list: Neighbour[] } | null = null;
  let searchMatches = new Set<number>();
  let transform = d3.zoomIdentity;
  let lassoMode = false;
  let previousScreen: Float64Array | null = null;
  const listeners: { [E in keyof ClusterMapEvents]: Set<(d: ClusterMapEvents[E]) => void> } = {
    select: new Set(), hover: new Set(), neighbours: new Set(),
  };
  const emit = <E extends keyof ClusterMapEvents>(event: E, detail: ClusterMapEvents[E]) => listeners[event].forEach((cb) => cb(detail));

  const toolbar = mapToolbar({
    onSearchInput: (text) => { options = { ...options, search: text }; applySearch(); if (!problem) drawHighlights(); },
    onSearchEnter: () => { if (searchMatches.size) setSelection([...searchMatches], 'search'); },
    onColorBy: (colorBy) => { options = { ...options, colorBy }; frame.redraw(); },
    onLabels: (shown) => { options = { ...options, labels: shown }; frame.redraw(); },
    onLasso: () => { lassoMode = !lassoMode; frame.redraw(); },
    onResetZoom: () => resetZoom(),
  });
  const plot = el('div', 'ml-cluster-plot');
  plot.style.position = 'relative';
  const canvas = document.createElement('canvas');
  canvas.className = 'ml-cluster-canvas';
  const details = el('div', 'ml-cluster-details');
  const pointFinder = new PointFinder();

  let geometry: Geometry = { x: d3.scaleLinear(), y: d3.scaleLinear(), width: 0, height: 0, margin: 0 };
  let screen = new Float64Array(0); // pixel positions under the current zoom
  let problem: string | null = null;
  let svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;

  // ---- data helpers ----
  const n = () => data.labels.length;
  const isNoise = (i: number) => data.clusters[i] < 0;
  // Cluster ids in order and their palette slots, recomputed per render (not per point).
  let clusterOrder = new Map<number, number>();
  let palette: readonly string[] = [];
  const clusterIds = (): number[] => [...clusterOrder.keys()];
  const clusterColor = (c: number): string => palette[(clusterOrder.get(c) ?? 0) % palette.length];
  let valueScale: d3.ScaleDiverging<string> = d3.scaleDiverging(d3.interpolateRdBu).domain([-1, 0, 1]);
  const pointColor = (i: number): string => {
    if (options.colorBy === 'value' && data.values) return valueScale(data.values[i]);
    return isNoise(i) ? colors.muted : clusterColor(data.clusters[i]);
  };

  function validate(): string | null {
    const count = data.labels.length;
    if (data.coords.length !== 2 * count) return `Cluster map: ${data.coords.length} coordinates for ${count} labels (expected ${2 * count}).`;
    if (data.clusters.length !== count) return `Cluster map: ${data.clusters.length} cluster labels for ${count} points.`;
    if (data.values && data.values.length !== count) return `Cluster map: ${data.values.length} values for ${count} points.`;
    for (let k = 0; k < data.coords.length; k++) if (!Number.isFinite(data.coords[k])) return `Cluster map: coordinate ${k} is not a finite number.`;
    return null;
  }

  function centroids(): Map<number, [number, number]> {
    const sums = new Map<number, [number, number, number]>();
    for (let i = 0; i < n(); i++) {
      if (isNoise(i)) continue;
      const s = sums.get(data.clusters[i]) ?? [0, 0, 0];
      s[0] += data.coords[2 * i]; s[1] += data.coords[2 * i + 1]; s[2]++;
      sums.set(data.clusters[i], s);
    }
    return new Map([...sums].map(([c, [sx, sy, k]]) => [c, [sx / k, sy / k]]));
  }

  // ---- rendering ----
  function render(width: number): void {
    problem = validate();
    palette = clusterPalette(colors);
    const ids = [...new Set(Array.from(data.clusters).filter((c) => c >= 0))].sort((a, b) => a - b);
    clusterOrder = new Map(ids.map((c, k) => [c, k]));
    syncControls();
    svg.selectAll('*').remove();
    canvas.remove();
    if (problem) {
      details.replaceChildren(note(problem));
      svg.attr('width', 0).attr('height', 0);
      return;
    }
    mode = n() > options.canvasThreshold ? 'canvas' : 'svg';
    colorGroupCache = null;
    if (data.values) {
      const extent = d3.max(Array.from(data.values), (v) => Math.abs(v)) || 1;
      valueScale = d3.scaleDiverging(d3.interpolateRdBu).domain([-extent, 0, extent]);
    }
    const height = options.height;
    const margin = 30;
    geometry = { ...equalAspectScales(width, height, margin), width, height, margin };
    svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`)
      .attr('font-size', 11).attr('fill', colors.foreground);
    svg.append('rect').attr('class', 'frame').attr('x', margin).attr('y', margin / 2)
      .attr('width', width - 2 * margin).attr('height', height - 1.5 * margin)
      .attr('fill', 'none').attr('stroke', colors.border);
    svg.append('g').attr('class', 'x-axis');
    svg.append('g').attr('class', 'y-axis');
    const clipId = `ml-cluster-clip-${Math.random().toString(36).slice(2)}`;
    svg.append('clipPath').attr('id', clipId).append('rect').attr('x', margin).attr('y', margin / 2)
      .attr('width', width - 2 * margin).attr('height', height - 1.5 * margin);
    const body = svg.append('g').attr('class', 'body').attr('clip-path', `url(#${clipId})`);
    body.append('path').attr('class', 'centroid-lines').attr('fill', 'none').attr('stroke-width', 0.8).attr('stroke-opacity', 0.45);
    body.append('g').attr('class', 'points');
    body.append('g').attr('class', 'centroids');
    body.append('g').attr('class', 'neighbour-links').attr('data-export', 'omit');
    body.append('g').attr('class', 'highlights');
    body.append('g').attr('class', 'labels');
    body.append('path').attr('class', 'lasso').attr('fill', colors.focus).attr('fill-opacity', 0.08)
      .attr('stroke', colors.focus).attr('stroke-dasharray', '4,3').attr('data-export', 'omit');
    if (data.values && options.colorBy === 'value') drawValueLegend();
    else drawClusterLegend();
    const overlay = svg.append('rect').attr('class', 'overlay').attr('x', margin).attr('y', margin / 2)
      .attr('width', width - 2 * margin).attr('height', height - 1.5 * margin)
      .attr('fill', 'transparent').attr('data-export', 'omit').style('cursor', lassoMode ? 'crosshair' : 'grab');
    attachPointer(overlay, svg.node(), svg.select<SVGPathElement>('path.lasso'), transform, pointerEvents);
    if (mode === 'canvas') plot.insertBefore(canvas, plot.firstChild);
    draw(true);
    renderDetails();
  }

  /** Same units on both axes (a t-SNE map has no preferred direction), centred in the plot. */
  function equalAspectScales(width: number, height: number, margin: number): { x: d3.ScaleLinear<number, number>; y: d3.ScaleLinear<number, number> } {
    const xs = [], ys = [];
    for (let i = 0; i < n(); i++) { xs.push(data.coords[2 * i]); ys.push(data.coords[2 * i + 1]); }
    const [x0, x1] = (d3.extent(xs) as [number, number] | [undefined, undefined]).map((v) => v ?? 0);
    const [y0, y1] = (d3.extent(ys) as [number, number] | [undefined, undefined]).map((v) => v ?? 0);
    // Plot area [left, right] × [top, bottom] in pixels; 12 px of air around the points.
    const left = margin, right = width - margin, top = margin / 2, bottom = height - margin;
    const unit = Math.min((right - left - 24) / (x1 - x0 || 1), (bottom - top - 24) / (y1 - y0 || 1));
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    const halfWidth = (right - left) / 2 / unit, halfHeight = (bottom - top) / 2 / unit;
    return {
      x: d3.scaleLinear().domain([cx - halfWidth, cx + halfWidth]).range([left, right]),
      y: d3.scaleLinear().domain([cy - halfHeight, cy + halfHeight]).range([bottom, top]),
    };
  }

  /** Positions everything for the current zoom. `full` also rebuilds the point marks. */
  function draw(full: boolean): void {
    const x = transform.rescaleX(geometry.x), y = transform.rescaleY(geometry.y);
    const count = n();
    const next = new Float64Array(2 * count);
    for (let i = 0; i < count; i++) { next[2 * i] = x(data.coords[2 * i]); next[2 * i + 1] = y(data.coords[2 * i + 1]); }
    screen = next;
    drawAxes(x, y);
    const cents = centroids();
    const centroidScreen = new Map([...cents].map(([c, [cx, cy]]) => [c, [x(cx), y(cy)] as [number, number]]));
    if (mode === 'svg') drawSvgPoints(full, centroidScreen);
    else drawCanvas(centroidScreen);
    drawCentroids(centroidScreen);
    drawHighlights();
  }

  function drawAxes(x: d3.ScaleLinear<number, number>, y: d3.ScaleLinear<number, number>): void {
    const { width, height, margin } = geometry;
    const xa = svg.select<SVGGElement>('g.x-axis').attr('transform', `translate(0,${height - margin})`)
      .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 110))).tickSizeOuter(0));
    const ya = svg.select<SVGGElement>('g.y-axis').attr('transform', `translate(${margin},0)`)
      .call(d3.axisLeft(y).ticks(Math.max(2, Math.floor(height / 80))).tickSizeOuter(0));
    for (const a of [xa, ya]) {
      a.attr('font-family', null).attr('font-size', 9);
      a.selectAll('path').remove();
      a.selectAll('line').attr('stroke', colors.muted).attr('stroke-opacity', 0.6);
      a.selectAll('text').attr('fill', colors.muted);
    }
  }

  function drawSvgPoints(full: boolean, centroidScreen: Map<number, [number, number]>): void {
    const body = svg.select('g.body');
    body.select('path.centroid-lines')
      .attr('d', showCentroidLines() ? centroidLinePath(centroidScreen) : null)
      .attr('stroke', colors.muted);
    const indices = d3.range(n());
    const points = body.select('g.points');
    const radius = n() > 600 ? 2.5 : 4;
    const marks = points.selectAll<SVGPathElement, number>('path.mark').data(indices, (i) => String(i));
    const entered = marks.join('path')
      .attr('class', (i) => (isNoise(i) ? 'mark noise' : 'mark point'))
      .attr('data-index', (i) => i)
      .attr('d', (i) => (isNoise(i) ? plusPath(NOISE_SIZE) : circlePath(radius)))
      .attr('fill', (i) => (isNoise(i) ? 'none' : pointColor(i)))
      // Near-white RdBu values need an outline to stay visible on a light background.
      .attr('stroke', (i) => (isNoise(i) ? pointColor(i) : options.colorBy === 'value' && data.values ? colors.muted : colors.background))
      .attr('stroke-width', (i) => (isNoise(i) ? 1.4 : 0.6));
    const moving = full && previousScreen && previousScreen.length === screen.length;
    const place = (i: number) => `translate(${screen[2 * i]},${screen[2 * i + 1]})`;
    if (moving && previousScreen) {
      // A re-run with the same points (new perplexity) glides from the old map to the new one.
      const from = previousScreen;
      entered.attr('transform', (i) => `translate(${from[2 * i]},${from[2 * i + 1]})`).transition().duration(600).attr('transform', place);
    } else {
      entered.attr('transform', place);
    }
  }

  function drawCanvas(centroidScreen: Map<number, [number, number]>): void {
    const { width, height } = geometry;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    Object.assign(canvas.style, { left: '0px', top: '0px', width: `${width}px`, height: `${height}px`, pointerEvents: 'none' });
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.save();
    const { margin } = geometry;
    ctx.beginPath();
    ctx.rect(margin, margin / 2, width - 2 * margin, height - 1.5 * margin);
    ctx.clip();
    if (showCentroidLines()) {
      ctx.strokeStyle = colors.muted;
      ctx.globalAlpha = 0.25;
      ctx.lineWidth = 0.6;
      ctx.stroke(new Path2D(centroidLinePath(centroidScreen)));
    }
    ctx.globalAlpha = 0.8;
    ctx.lineWidth = 1;
    // One path per color: tens of thousands of points cost a few fills, not one state change each.
    for (const [color, { points, noise }] of colorGroups()) {
      if (points.length) {
        ctx.fillStyle = color;
        ctx.beginPath();
        for (const i of points) ctx.rect(screen[2 * i] - 1.5, screen[2 * i + 1] - 1.5, 3, 3);
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

  let colorGroupCache: Map<string, { points: number[]; noise: number[] }> | null = null;
  function colorGroups(): Map<string, { points: number[]; noise: number[] }> {
    if (colorGroupCache) return colorGroupCache;
    const groups = new Map<string, { points: number[]; noise: number[] }>();
    for (let i = 0; i < n(); i++) {
      const color = pointColor(i);
      let g = groups.get(color);
      if (!g) { g = { points: [], noise: [] }; groups.set(color, g); }
      (isNoise(i) ? g.noise : g.points).push(i);
    }
    colorGroupCache = groups;
    return groups;
  }

  function centroidLinePath(centroidScreen: Map<number, [number, number]>): string {
    const parts: string[] = [];
    for (let i = 0; i < n(); i++) {
      const c = centroidScreen.get(data.clusters[i]);
      if (!c || isNoise(i)) continue;
      parts.push(`M${r1(screen[2 * i])},${r1(screen[2 * i + 1])}L${r1(c[0])},${r1(c[1])}`);
    }
    return parts.join('');
  }

  function drawCentroids(centroidScreen: Map<number, [number, number]>): void {
    const diamond = d3.symbol(d3.symbolDiamond, 130)() ?? '';
    svg.select('g.centroids').selectAll<SVGPathElement, [number, [number, number]]>('path.centroid')
      .data([...centroidScreen], (d) => String(d[0]))
      .join('path')
      .attr('class', 'centroid')
      .attr('data-cluster', (d) => d[0])
      .attr('d', diamond)
      .attr('transform', (d) => `translate(${d[1][0]},${d[1][1]})`)
      .attr('fill', (d) => (options.colorBy === 'cluster' ? clusterColor(d[0]) : colors.widgetBackground))
      .attr('stroke', colors.foreground)
      .attr('stroke-width', 1.2);
  }

  function highlightedIndices(): number[] {
    const set = new Set<number>([...selection, ...searchMatches]);
    if (neighbourOf) { set.add(neighbourOf.index); neighbourOf.list.forEach((nb) => set.add(nb.index)); }
    return [...set].sort((a, b) => a - b);
  }

  function drawLabels(indices: number[]): void {
    const emphasized = new Set(highlightedIndices());
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

  function drawHighlights(): void {
    const rings: { i: number; kind: string; color: string; r: number }[] = [];
    for (const i of searchMatches) rings.push({ i, kind: 'search-match', color: colors.warning, r: 7 });
    for (const i of selection) rings.push({ i, kind: 'selected', color: colors.focus, r: 6 });
    if (neighbourOf) neighbourOf.list.forEach((nb) => rings.push({ i: nb.index, kind: 'neighbour', color: colors.foreground, r: 5 }));
    svg.select('g.highlights').selectAll<SVGCircleElement, (typeof rings)[number]>('circle')
      .data(rings)
      .join('circle')
      .attr('class', (d) => d.kind)
      .attr('data-index', (d) => d.i)
      .attr('cx', (d) => screen[2 * d.i]).attr('cy', (d) => screen[2 * d.i + 1]).attr('r', (d) => d.r)
      .attr('fill', 'none').attr('stroke', (d) => d.color).attr('stroke-width', 1.8);
    const links = neighbourOf ? neighbourOf.list.map((nb) => [neighbourOf!.index, nb.index]) : [];
    svg.select('g.neighbour-links').selectAll('line').data(links).join('line')
      .attr('x1', (d) => screen[2 * d[0]]).attr('y1', (d) => screen[2 * d[0] + 1])
      .attr('x2', (d) => screen[2 * d[1]]).attr('y2', (d) => screen[2 * d[1] + 1])
      .attr('stroke', colors.foreground).attr('stroke-opacity', 0.5).attr('stroke-dasharray', '2,2');
    const dim = searchMatches.size > 0 || selection.size > 0;
    svg.select('g.points').attr('opacity', dim ? 0.55 : 1);
    // Canvas maps label only what is highlighted: thousands of labels are unreadable anyway.
    drawLabels(mode === 'svg' && allLabels() ? d3.range(n()) : highlightedIndices());
  }

  function showCentroidLines(): boolean {
    if (options.colorBy !== 'cluster') return false;
    return options.centroidLines === true || (options.centroidLines === 'auto' && n() <= 5000);
  }

  function allLabels(): boolean {
    return options.labels === true || (options.labels === 'auto' && n() <= 250);
  }

  function drawClusterLegend(): void {
    const ids = clusterIds();
    const hasNoise = Array.from(data.clusters).some((c) => c < 0);
    const entries: { label: string; color: string; noise: boolean }[] = ids.slice(0, 12).map((c) => ({ label: `cluster ${c}`, color: clusterColor(c), noise: false }));
    if (ids.length > 12) entries.push({ label: `+${ids.length - 12} more`, color: colors.muted, noise: false });
    if (hasNoise) entries.push({ label: 'noise', color: colors.muted, noise: true });
    if (!entries.length) return;
    const { width, margin } = geometry;
    const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(${width - margin - 96},${margin / 2 + 10})`);
    legend.append('rect').attr('x', -8).attr('y', -9).attr('width', 100).attr('height', entries.length * 15 + 4).attr('rx', 3)
      .attr('fill', colors.widgetBackground).attr('fill-opacity', 0.85).attr('stroke', colors.border);
    entries.forEach((e, k) => {
      if (e.noise) legend.append('path').attr('d', plusPath(NOISE_SIZE)).attr('transform', `translate(2,${k * 15})`).attr('stroke', e.color).attr('fill', 'none');
      else legend.append('circle').attr('cx', 2).attr('cy', k * 15).attr('r', 4).attr('fill', e.color);
      legend.append('text').attr('x', 12).attr('y', k * 15).attr('dy', '0.35em').attr('font-size', 10).text(e.label);
    });
  }

  function drawValueLegend(): void {
    const { width, margin } = geometry;
    const [lo, , hi] = valueScale.domain();
    const legend = svg.append('g').attr('class', 'legend value-legend').attr('transform', `translate(${width - margin - 150},${margin / 2 + 8})`);
    const id = `ml-cluster-grad-${Math.random().toString(36).slice(2)}`;
    const gradient = legend.append('defs').append('linearGradient').attr('id', id);
    d3.range(0, 1.0001, 0.1).forEach((t) => gradient.append('stop').attr('offset', `${t * 100}%`).attr('stop-color', valueScale(lo + t * (hi - lo))));
    legend.append('rect').attr('width', 120).attr('height', 8).attr('fill', `url(#${id})`).attr('stroke', colors.border);
    legend.append('text').attr('x', 0).attr('y', 20).attr('font-size', 10).text(fmt(lo, 2));
    legend.append('text').attr('x', 120).attr('y', 20).attr('font-size', 10).attr('text-anchor', 'end').text(fmt(hi, 2));
    legend.append('text').attr('x', 60).attr('y', 20).attr('font-size', 10).attr('text-anchor', 'middle').text(data.valueLabel ?? 'value');
  }

  // ---- interaction (the wiring is in cluster-map-interaction.ts) ----
  let suppressClick = false;
  const pointerEvents = {
    lassoMode: () => lassoMode,
    zoomed: (next: d3.ZoomTransform) => { transform = next; draw(false); },
    hover: (event: MouseEvent) => onHover(event),
    leave: () => { frame.tooltip.hide(); hoverChanged(null); },
    click: (event: MouseEvent) => onClick(event),
    lassoed: (polygon: [number, number][], additive: boolean) => {
      const inside = pointsInPolygon(screen, polygon);
      setSelection(additive ? [...selection, ...inside] : inside, 'lasso');
      suppressClick = true;
    },
  };

  function nearest(event: MouseEvent): number | null {
    if (n() === 0) return null;
    const [px, py] = d3.pointer(event, svg.node());
    const i = pointFinder.find(data.coords, transform.rescaleX(geometry.x).invert(px), transform.rescaleY(geometry.y).invert(py), hovered !== null && hovered < n() ? hovered : 0);
    const dx = screen[2 * i] - px, dy = screen[2 * i + 1] - py;
    return dx * dx + dy * dy <= CLICK_RADIUS * CLICK_RADIUS ? i : null;
  }

  let hovered: number | null = null;
  function hoverChanged(i: number | null): void {
    if (i === hovered) return;
    hovered = i;
    emit('hover', { index: i });
  }

  function onHover(event: MouseEvent): void {
    const i = nearest(event);
    hoverChanged(i);
    if (i === null) { frame.tooltip.hide(); return; }
    const lines = [isNoise(i) ? 'noise (no cluster)' : `cluster ${data.clusters[i]}`];
    if (data.values) lines.push(`${data.valueLabel ?? 'value'}: ${fmt(data.values[i])}`);
    lines.push(`(${fmt(data.coords[2 * i], 2)}, ${fmt(data.coords[2 * i + 1], 2)})`);
    frame.tooltip.show(data.labels[i], lines, event.clientX, event.clientY);
  }

  function onClick(event: MouseEvent): void {
    if (suppressClick) { suppressClick = false; return; }
    if (lassoMode) return;
    const i = nearest(event);
    if (i === null) {
      neighbourOf = null;
      setSelection([], 'clear');
      return;
    }
    const additive = event.ctrlKey || event.metaKey;
    const next = additive ? (selection.has(i) ? [...selection].filter((k) => k !== i) : [...selection, i]) : [i];
    showNeighbours(i);
    setSelection(next, 'click');
  }

  function showNeighbours(i: number): void {
    const list = findNeighbours(i);
    neighbourOf = list ? { index: i, list } : null;
    if (list) emit('neighbours', { index: i, metric: options.neighbourFunction ? 'custom' : options.metric, neighbours: list });
  }

  function findNeighbours(i: number): Neighbour[] | null {
    const k = Math.min(options.neighbours, n() - 1);
    if (k <= 0) return null;
    if (options.neighbourFunction) return options.neighbourFunction(i, k);
    const vectors = data.vectors;
    if (!vectors || vectors.data.length !== vectors.dims * n()) return null;
    return nearestNeighbours(vectors, data.labels, i, k, options.metric);
  }

  function setSelection(indices: readonly number[], source: SelectionSource): void {
    selection = new Set(indices);
    if (source !== 'click') neighbourOf = source === 'clear' ? null : neighbourOf;
    drawHighlights();
    renderDetails();
    const list = [...selection];
    emit('select', { indices: list, labels: list.map((i) => data.labels[i]), source });
  }

  function applySearch(): void {
    const result = searchLabels(data.labels, options.search);
    searchMatches = result instanceof Set ? result : new Set();
    toolbar.showSearch(result, colors.warning);
  }

  function syncControls(): void {
    toolbar.sync({ search: options.search, colorBy: options.colorBy, valueLabel: data.values ? data.valueLabel ?? 'value' : undefined, labels: allLabels(), lasso: lassoMode, focusColor: colors.focus });
    applySearch();
  }

  function resetZoom(): void {
    transform = d3.zoomIdentity;
    frame.redraw();
  }

  // ---- the lists below the map (cluster-members.ts) ----
  function renderDetails(): void {
    if (problem) return;
    details.replaceChildren(...clusterDetails({
      labels: data.labels, clusters: data.clusters, values: data.values, valueLabel: data.valueLabel,
      hasVectors: data.vectors !== undefined, customNeighbours: options.neighbourFunction !== undefined, metric: options.metric,
      memberLists: options.memberLists, memberListLimit: options.memberListLimit, colors, selection, neighbourOf,
      clusterIds: clusterIds(), clusterColor,
    }, {
      clear: () => { neighbourOf = null; setSelection([], 'clear'); },
      selectMembers: (indices) => { neighbourOf = null; setSelection(indices, 'list'); },
    }));
  }

  // Last, once every variable above exists: the frame draws at once.
  const state = { get data() { return data; }, set data(d) { data = d; }, get options() { return options; }, set options(o) { options = o; } };
  const { frame, chart } = chartFrame(container, 'ml-cluster-map', state, {
    layout: (root) => { root.append(toolbar.element, plot, details); return plot; },
    svgClass: 'ml-cluster-svg',
    minWidth: 320,
    canvasImage: () => (mode === 'canvas' ? { canvas, width: geometry.width, height: geometry.height } : null),
    destroy: () => Object.values(listeners).forEach((s) => s.clear()),
  }, (f) => { svg = f.svg; colors = f.colors; render(f.width); });

  return {
    ...chart,
    get mode() { return mode; },
    get selection() { return [...selection]; },
    on(event, callback) {
      const set = listeners[event] as Set<typeof callback>;
      set.add(callback);
      return () => set.delete(callback);
    },
    select(indices) {
      selection = new Set(indices.filter((i) => i >= 0 && i < n()));
      if (!problem) { drawHighlights(); renderDetails(); }
    },
    resetZoom,
    update(next, nextOptions) {
      const sameItems = next !== undefined && next.labels.length === data.labels.length && next.labels.every((l, i) => l === data.labels[i]);
      previousScreen = sameItems ? screen : null;
      if (next && !sameItems) { selection = new Set(); neighbourOf = null; transform = d3.zoomIdentity; }
      chart.update(next, nextOptions);
      previousScreen = null;
    },
  };
}

function r1(v: number): string {
  return v.toFixed(1);
}

function circlePath(r: number): string {
  return `M${-r},0A${r},${r} 0 1,0 ${r},0A${r},${r} 0 1,0 ${-r},0Z`;
}

function plusPath(s: number): string {
  return `M${-s},0H${s}M0,${-s}V${s}`;
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const clusterMap = tracked('clusterMap', drawClusterMap);
