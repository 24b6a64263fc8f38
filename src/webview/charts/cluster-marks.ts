// How a cluster looks on a map: a categorical color (ten, chosen per theme so neighbours stay apart
// on a dark and on a light background) and, past ten clusters, a shape as well, so cluster 11 is
// never mistaken for cluster 1. Noise is a `+`, centroids are diamonds; neither shape is used here.
import * as d3 from 'd3';

/** Tableau 10's hues (gray left out: it reads as noise), darker for a light background. */
const LIGHT = ['#4e79a7', '#e8751a', '#d62728', '#2a9d8f', '#3f8f3a', '#a8860c', '#9c5fa0', '#d1477a', '#8c6d5a', '#5b5fc7'];
/** The same hues, lighter for a dark background. */
const DARK = ['#5fa2dd', '#f5a04a', '#ff6b6b', '#5cc8bd', '#8cd17d', '#f1ce63', '#c99bd8', '#ff9dc0', '#d7b5a6', '#8888ee'];

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
