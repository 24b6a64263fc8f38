// The color palettes of the heatmaps: their names (the values of the `mechlens.heatmap.colorScheme`
// setting), which are diverging and which sequential, and the d3 interpolator behind each.
import * as d3 from 'd3';

export const sequentialPalettes = ['viridis', 'magma', 'inferno', 'plasma', 'cividis', 'greys'] as const;
export const divergingPalettes = ['RdBu', 'PuOr'] as const;
export type SequentialPalette = (typeof sequentialPalettes)[number];
export type DivergingPalette = (typeof divergingPalettes)[number];
export type Palette = SequentialPalette | DivergingPalette;

/** A diverging scheme centres its range on the middle; a sequential one runs low to high. */
export type HeatmapScheme = 'diverging' | 'sequential';
/** The palette each scheme draws with. */
export interface HeatmapPalettes { diverging: DivergingPalette; sequential: SequentialPalette }

export function isDivergingPalette(p: Palette): p is DivergingPalette {
  return (divergingPalettes as readonly string[]).includes(p);
}

/** Diverging palettes run from the low end to the high end so that, as with RdBu reversed, red/purple means similar. */
export function divergingInterpolator(palette: DivergingPalette): (t: number) => string {
  return palette === 'PuOr' ? (t) => d3.interpolatePuOr(1 - t) : (t) => d3.interpolateRdBu(1 - t);
}

export function sequentialInterpolator(palette: SequentialPalette): (t: number) => string {
  switch (palette) {
    case 'magma': return d3.interpolateMagma;
    case 'inferno': return d3.interpolateInferno;
    case 'plasma': return d3.interpolatePlasma;
    case 'cividis': return d3.interpolateCividis;
    // Greys runs white to black; high similarity should be the strong (dark) end, as in matplotlib's 'Greys'.
    case 'greys': return d3.interpolateGreys;
    default: return d3.interpolateViridis;
  }
}
