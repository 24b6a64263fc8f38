// What the Inspector shows for a cell of the logit lens panel: at that token, every layer's top-1
// probability and the target's probability (small line charts over layers), and at the clicked
// layer the top-1 token, its probability and the target's probability and rank. The panel names
// the cell as items [text index, position] with the layer as the focus.
import type { LensResult } from '../../protocol/lens';
import type { Focus, InspectorData } from '../../protocol/side-view';

export function inspectLens(result: LensResult, items: readonly string[], focus: Focus | undefined): InspectorData | undefined {
  const textIndex = Number(items[0]);
  const position = Number(items[1]);
  const text = result.texts[textIndex];
  if (!text || !Number.isInteger(position) || position < 0 || position >= text.tokens.length || text.layers.length === 0) return undefined;
  const layer = focus?.kind === 'layer' && focus.layer >= 0 && focus.layer < text.layers.length ? focus.layer : text.layers.length - 1;
  const at = (l: number) => text.layers[l].positions[position];
  const layers = text.layers.map((_, l) => l);
  const top = at(layer).top[0];
  const series: { name: string; values: (number | null)[] }[] = [{ name: 'top-1 probability', values: layers.map((l) => at(l).top[0]?.prob ?? null) }];
  const values: { name: string; value: number | null }[] = [
    { name: `top-1 ${JSON.stringify(top?.token ?? '')} probability`, value: top?.prob ?? null },
  ];
  if (result.target) {
    const label = JSON.stringify(result.target.token);
    series.push({ name: `${label} probability`, values: layers.map((l) => at(l).target?.prob ?? null) });
    values.push({ name: `${label} probability`, value: at(layer).target?.prob ?? null }, { name: `${label} rank`, value: at(layer).target?.rank ?? null });
    values.push({ name: `${label} first top-1 layer`, value: text.firstTop1?.[position] ?? null });
  }
  return { kind: 'lensCell', token: text.tokens[position].token, position, layer, values, series, layers };
}
