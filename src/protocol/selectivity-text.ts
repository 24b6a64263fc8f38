// How a selectivity index reads wherever it is shown (strip plot, subtitles, tables, the Inspector,
// the HTML report): the number, or — when the between mean is ≈ 0 and the ratio means nothing —
// "n/a (between ≈ 0)" with the two means, so a reader never sees an index like -712.976.
import type { Selectivity } from './result';

/** The index as a short value: "1.234", "n/a (between ≈ 0)", or "n/a". */
export function selectivityValue(s: Pick<Selectivity, 'index' | 'betweenNearZero'>, digits = 3): string {
  if (s.index !== null && Number.isFinite(s.index)) return s.index.toFixed(digits);
  return s.betweenNearZero ? 'n/a (between ≈ 0)' : 'n/a';
}

/** The two means, "within 0.412, between -0.0004"; empty when either is missing. */
function selectivityMeans(s: Pick<Selectivity, 'within' | 'between'>): string {
  if (s.within === null || s.between === null) return '';
  return `within ${s.within.toFixed(3)}, between ${s.between.toPrecision(2)}`;
}

/** One line: "selectivity index = 1.234", or "selectivity index n/a (between ≈ 0): within 0.412, between -0.0004". */
export function selectivityText(s: Pick<Selectivity, 'index' | 'betweenNearZero' | 'within' | 'between'>): string {
  if (s.index !== null && Number.isFinite(s.index)) return `selectivity index = ${s.index.toFixed(3)}`;
  const means = selectivityMeans(s);
  return `selectivity index ${selectivityValue(s)}${means ? `: ${means}` : ''}`;
}
