// Lays texts out in the rows of a GPT-2 batch so that no token is computed twice or for nothing.
// Under causal attention a token's activations depend only on the tokens before it, so
//   - texts that start with the same tokens ("The next word is …", minimal pairs "I saw him/her …")
//     share those positions: a row holds a prefix tree, and each token attends to its ancestors;
//   - tokens after the last position that is read are never computed;
//   - short texts fill a row together instead of being padded to the longest.
// All give the same numbers as one right-padded row per text (to float rounding), with fewer
// tokens through every MatMul. A row of one text is the classic right-padded layout.
import { ATTENTION_ALLOWED, INPUT_IDS, POSITION_IDS } from './graph-decoder';
import type { Feed } from './runtime';

export interface PackedRow {
  /** Token ids, one per slot. */
  ids: number[];
  /** Position of each slot in its text (its depth in the tree). */
  positions: number[];
  /** Slot of each slot's parent (the previous token of its text); −1 at a text's first token. */
  parents: number[];
}

export interface PackPlan {
  rows: PackedRow[];
  /** For every text: its row, and the slot of each of its computed positions (0 … kept − 1). */
  placements: { row: number; slots: Int32Array }[];
  /** Tokens computed (slots) and tokens the texts hold up to their last read position. */
  packedTokens: number;
  textTokens: number;
}

/**
 * 'prefixes' (default): common prefixes computed once, trees packed into rows; 'rows': no sharing,
 * short texts still fill rows together; 'none': one right-padded text per row (Hugging Face's layout).
 */
export type Packing = 'prefixes' | 'rows' | 'none';

export interface PackOptions {
  packing?: Packing;
  /**
   * Width of a row (default 128), unless a text is longer. Every token of a row attends over the
   * row's width, so wide rows cost attention work and [batch, heads, width, width] score tensors,
   * while narrow rows cut big prefix trees into pieces that each recompute the shared prefix.
   */
  rowTokens?: number;
}

export const DEFAULT_ROW_TOKENS = 128;

/** One prefix tree before it is placed in a row: slots numbered from 0, and the texts it holds. */
interface Group extends PackedRow {
  texts: number[];
}

/**
 * Packs texts (token ids) of which only the first `kept[i]` tokens are needed. Sorted, texts with
 * common prefixes are neighbours; each run of them makes a prefix tree (a group) of at most
 * rowTokens slots. Groups are then packed into rows of that width, largest first into the row
 * that they fill best: a row can hold several unrelated trees, since a token sees only its own
 * ancestors, so rows carry almost no padding.
 */
export function packTexts(ids: readonly (readonly number[])[], kept: readonly number[], options: PackOptions = {}): PackPlan {
  const packing = options.packing ?? 'prefixes';
  const share = packing === 'prefixes';
  const width = kept.reduce((w, n) => Math.max(w, n), options.rowTokens ?? DEFAULT_ROW_TOKENS);
  const order = ids.map((_, i) => i);
  if (share) order.sort((a, b) => compareIds(ids[a], kept[a], ids[b], kept[b]) || a - b);
  const groups: Group[] = [];
  const localSlots: Int32Array[] = new Array(ids.length);
  let group: Group | undefined;
  let previous = -1;
  let textTokens = 0;
  for (const i of order) {
    const n = kept[i];
    textTokens += n;
    const common = share && group ? commonPrefix(ids[previous], kept[previous], ids[i], n) : 0;
    const joins = common > 0 && group!.ids.length + (n - common) <= width;
    if (!joins) {
      group = { ids: [], positions: [], parents: [], texts: [] };
      groups.push(group);
    }
    const g = group!;
    const slots = new Int32Array(n);
    const shared = joins ? common : 0;
    if (shared) slots.set(localSlots[previous].subarray(0, shared));
    for (let t = shared; t < n; t++) {
      slots[t] = g.ids.length;
      g.ids.push(ids[i][t]);
      g.positions.push(t);
      g.parents.push(t === 0 ? -1 : slots[t - 1]);
    }
    g.texts.push(i);
    localSlots[i] = slots;
    previous = i;
  }

  // Best fit, largest group first: free[r] is row r's room left; byRoom[k] lists rows with room k.
  const rows: PackedRow[] = [];
  const placements: PackPlan['placements'] = new Array(ids.length);
  const byRoom: number[][] = Array.from({ length: width + 1 }, () => []);
  const free: number[] = [];
  const bySize = groups.map((_, k) => k).sort((a, b) => groups[b].ids.length - groups[a].ids.length || a - b);
  for (const k of bySize) {
    const g = groups[k];
    const size = g.ids.length;
    let r = -1;
    for (let room = size; packing !== 'none' && room <= width && r < 0; room++) {
      while (byRoom[room].length && free[byRoom[room][byRoom[room].length - 1]] !== room) byRoom[room].pop(); // stale entries
      if (byRoom[room].length) r = byRoom[room].pop()!;
    }
    if (r < 0) {
      r = rows.length;
      rows.push({ ids: [], positions: [], parents: [] });
      free.push(width);
    }
    const row = rows[r];
    const offset = row.ids.length;
    row.ids.push(...g.ids);
    row.positions.push(...g.positions);
    for (const parent of g.parents) row.parents.push(parent < 0 ? -1 : parent + offset);
    for (const i of g.texts) placements[i] = { row: r, slots: localSlots[i].map((slot) => slot + offset) };
    free[r] -= size;
    byRoom[free[r]].push(r);
  }
  return { rows, placements, packedTokens: rows.reduce((s, r) => s + r.ids.length, 0), textTokens };
}

function compareIds(a: readonly number[], na: number, b: readonly number[], nb: number): number {
  const n = Math.min(na, nb);
  for (let t = 0; t < n; t++) if (a[t] !== b[t]) return a[t] - b[t];
  return na - nb;
}

function commonPrefix(a: readonly number[], na: number, b: readonly number[], nb: number): number {
  const n = Math.min(na, nb);
  let t = 0;
  while (t < n && a[t] === b[t]) t++;
  return t;
}

/**
 * Graph inputs for some packed rows, right-padded to the widest: input_ids, position_ids and
 * attention_allowed (each slot sees itself and its ancestors; a pad slot sees only itself, so its
 * softmax stays finite and nothing real attends to it).
 */
export function packedFeeds(rows: readonly PackedRow[], padId: number): { feeds: Record<string, Feed>; width: number } {
  const B = rows.length;
  const T = rows.reduce((w, r) => Math.max(w, r.ids.length), 1);
  const ids = new BigInt64Array(B * T).fill(BigInt(padId));
  const positions = new BigInt64Array(B * T);
  const allowed = new Uint8Array(B * T * T);
  rows.forEach((row, b) => {
    row.ids.forEach((id, s) => {
      ids[b * T + s] = BigInt(id);
      positions[b * T + s] = BigInt(row.positions[s]);
      const base = (b * T + s) * T;
      for (let a = s; a >= 0; a = row.parents[a]) allowed[base + a] = 1;
    });
    for (let s = row.ids.length; s < T; s++) allowed[(b * T + s) * T + s] = 1;
  });
  const dims = [B, T];
  return { feeds: { [INPUT_IDS]: { data: ids, dims }, [POSITION_IDS]: { data: positions, dims }, [ATTENTION_ALLOWED]: { data: allowed, dims: [B, T, T] } }, width: T };
}

/** Feeds for texts as right-padded rows, one text per row (the Hugging Face layout). */
export function paddedFeeds(texts: readonly (readonly number[])[], padId: number): { feeds: Record<string, Feed>; width: number } {
  return packedFeeds(texts.map((text) => ({ ids: [...text], positions: text.map((_, t) => t), parents: text.map((_, t) => t - 1) })), padId);
}

/** Rows cut into batches of at most batchSize rows and maxBatchTokens padded slots, widest first. */
export function batchRows(rows: readonly PackedRow[], batchSize: number, maxBatchTokens: number): number[][] {
  return makeBatches(rows.map((r) => r.ids.length), batchSize, maxBatchTokens);
}

/** Items sorted by length (longest first) and cut into batches, so padding stays small. */
export function makeBatches(lengths: readonly number[], batchSize: number, maxBatchTokens: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const padded = current.length ? lengths[current[0]] : lengths[i];
    if (current.length && (current.length >= batchSize || (current.length + 1) * padded > maxBatchTokens)) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length) batches.push(current);
  return batches;
}
