// Equal-width histogram with numpy.histogram's exact edges and bin assignment: bins are half-open
// [e_i, e_i+1) except the last, which is closed; values outside the range are not counted.
import { MechLensError } from '../errors';

export interface HistogramOptions {
  /** Number of equal-width bins. Default 10, as numpy. */
  bins?: number;
  /** [low, high] of the bins. Default: the data's min and max (widened by ±0.5 when they are equal). */
  range?: [number, number];
}

export interface Histogram {
  /** bins + 1 edges. */
  edges: Float64Array;
  counts: Uint32Array;
}

export function histogram(values: ArrayLike<number>, options: HistogramOptions = {}): Histogram {
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new MechLensError('bad-argument', `histogram: bins must be a whole number ≥ 1, got ${bins}`, { fix: 'Use for example 50 bins.' });
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new MechLensError('bad-argument', `histogram: value ${i} is ${values[i]}`, { fix: 'Remove NaN and infinite values first.' });
    }
  }
  let [low, high] = options.range ?? dataRange(values);
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high)) {
    throw new MechLensError('bad-argument', `histogram: range [${low}, ${high}] is not a finite interval`, {
      fix: 'Give the lower bound first, both finite.',
    });
  }
  if (low === high) { low -= 0.5; high += 0.5; }
  // numpy.linspace: i · step + low, with the last edge set to high exactly.
  const step = (high - low) / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) edges[i] = i * step + low;
  edges[bins] = high;
  const counts = new Uint32Array(bins);
  const scale = bins / (high - low);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < low || v > high) continue;
    // numpy computes the bin arithmetically, then nudges it by one where rounding put it across an edge.
    let bin = Math.trunc((v - low) * scale);
    if (bin === bins) bin--;
    if (v < edges[bin]) bin--;
    else if (bin !== bins - 1 && v >= edges[bin + 1]) bin++;
    counts[bin]++;
  }
  return { edges, counts };
}

function dataRange(values: ArrayLike<number>): [number, number] {
  if (values.length === 0) return [0, 1];
  let low = Infinity, high = -Infinity;
  for (let i = 0; i < values.length; i++) { low = Math.min(low, values[i]); high = Math.max(high, values[i]); }
  return [low, high];
}
