// The one check that numbers going into the engine are finite. NaN does not fail loudly on its own:
// PCA turned one NaN cell into all-null coordinates and k-means into one cluster, both exiting 0.
// So every entry point that takes a matrix (matrix files, t-SNE, PCA, UMAP, DBSCAN, k-means) calls
// requireFinite once, and captured activations get a warning naming the hook (finiteWarning).
import { MechLensError } from './errors';

export interface NonFinite {
  /** 0-based row and column of the first bad value. */
  row: number;
  col: number;
  value: number;
  /** How many values are bad in all. */
  count: number;
}

/** The first NaN or ±Infinity of a row-major array with `cols` columns, and how many there are. */
export function findNonFinite(data: ArrayLike<number>, cols: number, skip?: (value: number) => boolean): NonFinite | undefined {
  if (data instanceof Float32Array && allFiniteFloat32(data)) return undefined;
  let first = -1, count = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // v - v is 0 for finite numbers and NaN for NaN and ±Infinity: one test for both.
    if (v - v !== 0 && !(skip && skip(v))) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (first < 0) return undefined;
  const width = Math.max(1, cols);
  return { row: Math.floor(first / width), col: first % width, value: data[first], count };
}

/**
 * Whether every value is finite, from the bits: an all-ones exponent (NaN, ±Infinity) carries into
 * the sign bit when 2²³ is added to the exponent field. Integer ops only, about 1.5× faster than the
 * float test on the 3.9·10⁷ values of the GPT-2 vocabulary's embeddings.
 */
function allFiniteFloat32(data: Float32Array): boolean {
  const bits = new Int32Array(data.buffer, data.byteOffset, data.length);
  let carry = 0;
  for (let i = 0; i < bits.length; i++) carry |= (bits[i] & 0x7f800000) + 0x00800000;
  return carry >= 0;
}

/**
 * Throws a MechLensError naming the input, the 1-based row and column of the first NaN or infinite
 * value, how many there are, and the fix. `input` says what the numbers are (a file, "PCA input").
 */
export function requireFinite(m: { rows: number; cols: number; data: ArrayLike<number> }, input: string, fix = 'Remove or fill the NaN/Infinity values first (for example numpy.nan_to_num, or drop those rows).'): void {
  const bad = findNonFinite(m.data, m.cols);
  if (!bad) return;
  const more = bad.count > 1 ? ` (${bad.count} non-finite values in all)` : '';
  throw new MechLensError('bad-argument', `value ${bad.value} at row ${bad.row + 1}, column ${bad.col + 1} is not a finite number${more}`, { input, fix });
}

/**
 * A warning for captured activations that hold NaN or ±Infinity (from NaN weights, or an overflow),
 * naming the hook; undefined when every value is finite. Attention scores are -Infinity where keys are
 * masked, so those do not count there.
 */
export function finiteWarning(data: ArrayLike<number>, cols: number, hook: string, source: string): string | undefined {
  const maskedScores = hook.endsWith('hook_attn_scores');
  const bad = findNonFinite(data, cols, maskedScores ? (v) => v === -Infinity : undefined);
  if (!bad) return undefined;
  return `${hook}: ${bad.count} of ${data.length} values are NaN or infinite (first: ${bad.value} at row ${bad.row + 1}, value ${bad.col + 1}); `
    + `they are written as null. Check the weights of ${source} (a NaN weight spreads through every later layer).`;
}
