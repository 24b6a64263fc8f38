// What the Inspector view shows for a selection in a result panel, computed from the Result alone:
// for one word, its nearest neighbours in both spaces; for two words, their similarity in each.
import type { CompareResult, Result } from '../protocol/result';

export interface Neighbour {
  word: string;
  similarity: number;
}

export type InspectorData =
  | { kind: 'empty'; message: string }
  | { kind: 'word'; word: string; category: string | null; spaces: { label: string; neighbours: Neighbour[] }[] }
  | { kind: 'pair'; words: [string, string]; spaces: { label: string; similarity: number }[] };

function nearest(result: CompareResult, side: 'a' | 'b', index: number, k: number): Neighbour[] {
  const row = result[side].similarity[index] ?? [];
  return row
    .map((similarity, j) => ({ word: result.items[j], similarity }))
    .filter((n, j) => j !== index && Number.isFinite(n.similarity))
    .sort((x, y) => y.similarity - x.similarity || x.word.localeCompare(y.word))
    .slice(0, k);
}

export function inspectSelection(result: Result | undefined, items: readonly string[], k = 8): InspectorData {
  if (!result || result.job !== 'compare') return { kind: 'empty', message: 'Select a word in a Compare Embeddings panel to see its nearest neighbours here.' };
  const indices = items.map((w) => result.items.indexOf(w)).filter((i) => i >= 0);
  if (indices.length === 1) {
    const i = indices[0];
    return {
      kind: 'word', word: result.items[i], category: result.itemCategories[i] ?? null,
      spaces: (['a', 'b'] as const).map((side) => ({ label: result[side].source.label, neighbours: nearest(result, side, i, k) })),
    };
  }
  if (indices.length === 2) {
    const [i, j] = indices;
    return {
      kind: 'pair', words: [result.items[i], result.items[j]],
      spaces: (['a', 'b'] as const).map((side) => ({ label: result[side].source.label, similarity: result[side].similarity[i]?.[j] ?? NaN })),
    };
  }
  return { kind: 'empty', message: items.length ? `"${items.join(', ').slice(0, 80)}" is not a word of this result.` : 'Nothing selected.' };
}
