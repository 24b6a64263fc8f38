// Cluster map: a 2-D embedding (t-SNE, PCA) with its clusters, in the course notebooks' style —
// points colored by cluster with a line to their centroid, noise as `+`, centroids as diamonds — or
// colored by a value on a diverging RdBu scale (t-values). Zoom and pan, hover, click or lasso to
// select (a `select` event links other views), a regex search that highlights labels, and the k
// nearest neighbours of a clicked point in the original space. Points draw as SVG up to
// `canvasThreshold` and on canvas above it; highlights, labels and axes stay SVG on top.
// This file keeps the state and wires the parts, each a small function: the drawing in
// cluster-map-draw.ts, cluster colors and shapes in cluster-marks.ts, the toolbar, zoom, lasso and
// search in cluster-map-interaction.ts, the lists below the map in cluster-members.ts, and the
// neighbour search in nearest-neighbours.ts. Every label reaches the page through textContent.
import * as d3 from 'd3';
import { type Chart, type ThemeColors, fmt } from './common';
import { clusterDetails } from './cluster-members';
import { PointFinder, attachPointer, mapToolbar, pointsInPolygon, searchLabels } from './cluster-map-interaction';
import {
  type Geometry, type MapScene, type MarkGroups, allLabels, centroids, drawAxes, drawCanvasPoints, drawCentroids, drawClusterLegend,
  drawFrame, drawHighlights, drawOverlay, drawSvgPoints, drawValueLegend, equalAspectGeometry, isNoise, legendWidth, markGroups,
} from './cluster-map-draw';
import { clusterMark, clusterPalette } from './cluster-marks';
import { el, note } from './form-elements';
import { chartFrame } from './frame';
import { type Neighbour, findNeighbours } from './nearest-neighbours';
import { tracked } from './spec';
import type { ClusterMapData, ClusterMapOptions } from './cluster-map-draw';

export { clusterPalette } from './cluster-marks';

export type { Neighbour } from './nearest-neighbours';
export type { ClusterMapData, ClusterMapOptions } from './cluster-map-draw';

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

const CLICK_RADIUS = 12;

function validate(data: ClusterMapData): string | null {
  const count = data.labels.length;
  if (data.coords.length !== 2 * count) return `Cluster map: ${data.coords.length} coordinates for ${count} labels (expected ${2 * count}).`;
  if (data.clusters.length !== count) return `Cluster map: ${data.clusters.length} cluster labels for ${count} points.`;
  if (data.values && data.values.length !== count) return `Cluster map: ${data.values.length} values for ${count} points.`;
  for (let k = 0; k < data.coords.length; k++) if (!Number.isFinite(data.coords[k])) return `Cluster map: coordinate ${k} is not a finite number.`;
  return null;
}

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
    onSearchInput: (text) => { options = { ...options, search: text }; applySearch(); if (!problem) drawHighlights(scene(), highlights(), mode); },
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

  let geometry: Geometry = equalAspectGeometry(data, 0, 0, 0);
  let screen = new Float64Array(0); // pixel positions under the current zoom
  let problem: string | null = null;
  let svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  const n = () => data.labels.length;
  // Cluster ids in ascending order and their marks, recomputed per render (not per point).
  let clusterOrder = new Map<number, number>();
  let palette: readonly string[] = [];
  let valueScale: d3.ScaleDiverging<string> = d3.scaleDiverging(d3.interpolateRdBu).domain([-1, 0, 1]);
  let groups: MarkGroups | null = null;
  const mark = (c: number) => clusterMark(palette, clusterOrder.get(c) ?? 0);
  const pointColor = (i: number): string => {
    if (options.colorBy === 'value' && data.values) return valueScale(data.values[i]);
    return isNoise(data, i) ? colors.muted : mark(data.clusters[i]).color;
  };
  const scene = (): MapScene => ({ svg, colors, data, options, geometry, screen, mark, pointColor, valueScale });
  const highlights = () => ({ selection, searchMatches, neighbourOf });

  function render(width: number): void {
    problem = validate(data);
    palette = clusterPalette(colors);
    clusterOrder = new Map([...new Set(Array.from(data.clusters).filter((c) => c >= 0))].sort((a, b) => a - b).map((c, k) => [c, k]));
    syncControls();
    svg.selectAll('*').remove();
    canvas.remove();
    if (problem) {
      details.replaceChildren(note(problem));
      svg.attr('width', 0).attr('height', 0);
      return;
    }
    mode = n() > options.canvasThreshold ? 'canvas' : 'svg';
    groups = null;
    if (data.values) {
      const extent = d3.max(Array.from(data.values), (v) => Math.abs(v)) || 1;
      valueScale = d3.scaleDiverging(d3.interpolateRdBu).domain([-extent, 0, extent]);
    }
    const legend = legendWidth(data, width);
    geometry = equalAspectGeometry(data, width, options.height, legend);
    drawFrame(svg, colors, geometry);
    if (legend && data.values && options.colorBy === 'value') drawValueLegend(scene());
    else if (legend) drawClusterLegend(scene(), [...clusterOrder.keys()]);
    const overlay = drawOverlay(svg, geometry, lassoMode);
    attachPointer(overlay, svg.node(), svg.select<SVGPathElement>('path.lasso'), transform, pointerEvents);
    if (mode === 'canvas') plot.insertBefore(canvas, plot.firstChild);
    draw(true);
    renderDetails();
  }

  /** Positions everything for the current zoom. `full` also rebuilds the point marks. */
  function draw(full: boolean): void {
    const x = transform.rescaleX(geometry.x), y = transform.rescaleY(geometry.y);
    const next = new Float64Array(2 * n());
    for (let i = 0; i < n(); i++) { next[2 * i] = x(data.coords[2 * i]); next[2 * i + 1] = y(data.coords[2 * i + 1]); }
    screen = next;
    const current = scene();
    drawAxes(current, x, y);
    const centroidScreen = new Map([...centroids(data)].map(([c, [cx, cy]]) => [c, [x(cx), y(cy)] as [number, number]]));
    if (mode === 'svg') drawSvgPoints(current, centroidScreen, full ? previousScreen : null);
    else drawCanvasPoints(current, canvas, groups ??= markGroups(current), centroidScreen);
    drawCentroids(current, centroidScreen);
    drawHighlights(current, highlights(), mode);
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
    const lines = [isNoise(data, i) ? 'noise (no cluster)' : `cluster ${data.clusters[i]}`];
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
    const list = findNeighbours(data, i, options);
    neighbourOf = list ? { index: i, list } : null;
    if (list) emit('neighbours', { index: i, metric: options.neighbourFunction ? 'custom' : options.metric, neighbours: list });
    setSelection(next, 'click');
  }

  function setSelection(indices: readonly number[], source: SelectionSource): void {
    selection = new Set(indices);
    if (source === 'clear') neighbourOf = null;
    drawHighlights(scene(), highlights(), mode);
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
    toolbar.sync({ search: options.search, colorBy: options.colorBy, valueLabel: data.values ? data.valueLabel ?? 'value' : undefined, labels: allLabels({ data, options }), lasso: lassoMode, focusColor: colors.focus });
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
      clusterIds: [...clusterOrder.keys()], clusterColor: (c) => mark(c).color,
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
      if (!problem) { drawHighlights(scene(), highlights(), mode); renderDetails(); }
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

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const clusterMap = tracked('clusterMap', drawClusterMap);
