// The user's `mechlens.heatmap.*` settings in the page. The host writes them as JSON into
// <body data-settings> (extension/webview-resources.ts) and rebuilds the page when they change, so
// reading them at draw time is enough. A page without them (the HTML report, a chart test) gets
// each chart's own defaults; malformed values are ignored rather than trusted.
import * as d3 from 'd3';

export const sequentialPalettes = ['viridis', 'magma', 'inferno', 'plasma', 'cividis', 'greys'] as const;
export const divergingPalettes = ['RdBu', 'PuOr'] as const;
export type SequentialPalette = (typeof sequentialPalettes)[number];
export type DivergingPalette = (typeof divergingPalettes)[number];
export type Palette = SequentialPalette | DivergingPalette;

export interface HeatmapSettings {
  /** `mechlens.heatmap.colorScheme`: the palette, and whether similarity heatmaps start diverging or sequential. */
  colorScheme?: Palette;
  /** `mechlens.heatmap.canvasThreshold`: heatmaps with more items than this draw on canvas. */
  canvasThreshold?: number;
}

export function isDivergingPalette(p: Palette): p is DivergingPalette {
  return (divergingPalettes as readonly string[]).includes(p);
}

export function readHeatmapSettings(body: HTMLElement | null = typeof document === 'undefined' ? null : document.body): HeatmapSettings {
  const raw = body?.dataset.settings;
  if (!raw) return {};
  let parsed: unknown;
  try { parsed = JSON.parse(raw); } catch { return {}; }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const s = parsed as Record<string, unknown>;
  const out: HeatmapSettings = {};
  if (typeof s.colorScheme === 'string' && ([...sequentialPalettes, ...divergingPalettes] as string[]).includes(s.colorScheme)) out.colorScheme = s.colorScheme as Palette;
  // The same bounds as the setting's schema in package.json.
  if (typeof s.canvasThreshold === 'number' && Number.isInteger(s.canvasThreshold) && s.canvasThreshold >= 10 && s.canvasThreshold <= 5000) out.canvasThreshold = s.canvasThreshold;
  return out;
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
