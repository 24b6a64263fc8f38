// The user's `mechlens.heatmap.*` settings as the page carries them. The host writes them as JSON
// into <body data-settings> (extension/webview-resources.ts) and rebuilds the page when they change,
// so reading them when a heatmap is made is enough. A page without them (the HTML report, a chart
// test, the side view) gets the chart's own defaults; malformed values are ignored rather than trusted.
import { type Palette, divergingPalettes, sequentialPalettes } from './palettes';

export interface HeatmapSettings {
  /** `mechlens.heatmap.colorScheme`: the palette, and whether similarity heatmaps start diverging or sequential. */
  colorScheme?: Palette;
  /** `mechlens.heatmap.canvasThreshold`: heatmaps with more items than this draw on canvas. */
  canvasThreshold?: number;
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
