// How a cluster looks on a map: a categorical color (ten, chosen per theme so neighbours stay apart
// on a dark and on a light background) and, past ten clusters, a shape as well, so cluster 11 is
// never mistaken for cluster 1. Noise is a `+`, centroids are diamonds; neither shape is used here.
// Blue and orange mean A and B, green and purple within and between, in the panels that show cluster
// maps too, so no cluster color is near those four (ΔE ≥ 20); and the first four, the clusters of a
// small map, keep away from the first four category colors as well (category-colors.ts). Checked in
// test/webview/cluster-map.test.ts.
import * as d3 from 'd3';

/** Steel, magenta, indigo, rust and olive first, then red, teal, gold, rose and brown; dark enough for a light background. */
const LIGHT = ['#1b5e7a', '#a4146e', '#4a4a8c', '#b4533a', '#7c8a1a', '#d62728', '#2a9d8f', '#8a6d00', '#d1477a', '#8c6d5a'];
/** The same hues, lighter for a dark background. */
const DARK = ['#2f86a6', '#c9428f', '#6e6ee8', '#a8624a', '#a3ad3c', '#ff6b6b', '#5cc8bd', '#f1ce63', '#ff9dc0', '#d7b5a6'];

/** Shapes in order of how well they read at 4 px; one per block of ten clusters. */
const SHAPES: readonly d3.SymbolType[] = [d3.symbolCircle, d3.symbolSquare, d3.symbolTriangle, d3.symbolStar, d3.symbolWye];
export const SHAPE_NAMES = ['circle', 'square', 'triangle', 'star', 'wye'] as const;

/** Only the background is read (so this file needs no DOM types). */
export interface ThemeBackground { background: string }

export function isDarkTheme(colors: ThemeBackground): boolean {
  const c = d3.hsl(colors.background);
  return !Number.isFinite(c.l) || c.l < 0.5;
}

/** The ten cluster colors of the theme. Exported so a panel's own cluster list can show the map's swatches. */
export function clusterPalette(colors: ThemeBackground): readonly string[] {
  return isDarkTheme(colors) ? DARK : LIGHT;
}

export interface ClusterMark { color: string; shape: d3.SymbolType; shapeName: (typeof SHAPE_NAMES)[number] }

/** The mark of the k-th cluster (k counts cluster ids in ascending order from 0). */
export function clusterMark(palette: readonly string[], k: number): ClusterMark {
  const block = Math.floor(k / palette.length) % SHAPES.length;
  return { color: palette[k % palette.length], shape: SHAPES[block], shapeName: SHAPE_NAMES[block] };
}

/** SVG path of a shape whose area is that of a circle of radius r. */
export function shapePath(shape: d3.SymbolType, r: number): string {
  return d3.symbol(shape, Math.PI * r * r)() ?? '';
}

export function plusPath(s: number): string {
  return `M${-s},0H${s}M0,${-s}V${s}`;
}
