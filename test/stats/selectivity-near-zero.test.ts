// A selectivity index whose between mean is ≈ 0 next to the similarities' scale is not printed as a
// number (issue 20: "selectivity index = -712.976"): it is null with betweenNearZero, and every place
// that shows an index reads "n/a (between ≈ 0)" with the two means. The threshold is relative.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matrix } from '../../src/core/matrix';
import { NEAR_ZERO_BETWEEN, selectivityIndex } from '../../src/core/stats/selectivity';
import { selectivityText, selectivityValue } from '../../src/protocol/selectivity-text';

/** Two categories of two items: within similarities w, between similarities b (all four pairs). */
function twoByTwo(w: number, b: number, scale = 1) {
  const s = [
    [1, w, b, b],
    [w, 1, b, b],
    [b, b, 1, w],
    [b, b, w, 1],
  ].flat().map((v) => v * scale);
  return selectivityIndex(matrix(4, 4, Float64Array.from(s)), ['x', 'x', 'y', 'y']);
}

/** Root mean square of the six pairs: two within (w) and four between (b). */
const rms = (w: number, b: number) => Math.sqrt((2 * w * w + 4 * b * b) / 6);

test('a between mean of ≈ 0 gives no index, with betweenNearZero and both means kept', () => {
  const s = twoByTwo(0.4, -0.0004);
  assert.equal(s.index, null);
  assert.equal(s.betweenNearZero, true);
  assert.ok(Math.abs(s.within! - 0.4) < 1e-12);
  assert.ok(Math.abs(s.between! + 0.0004) < 1e-12);
  assert.match(s.reason ?? '', /≈ 0/);
  assert.equal(selectivityValue(s), 'n/a (between ≈ 0)');
  assert.equal(selectivityText(s), 'selectivity index n/a (between ≈ 0): within 0.400, between -0.00040');
});

test('the threshold is relative to the similarities\' scale: the same shape at any scale gives the same verdict', () => {
  for (const scale of [1e-3, 1, 1e3]) {
    assert.equal(twoByTwo(0.4, -0.0004, scale).index, null, `scale ${scale}`);
    const defined = twoByTwo(0.4, 0.1, scale);
    assert.ok(Math.abs(defined.index! - 4) < 1e-9, `scale ${scale}: index ${defined.index}`);
    assert.equal(defined.betweenNearZero, undefined);
  }
});

test('just above the threshold the index is a number, just below it is n/a', () => {
  const w = 0.5;
  // |b| = NEAR_ZERO_BETWEEN · rms(w, b), solved for b: b² (1 − 4ε²/6) = ε² · 2w²/6.
  const eps = NEAR_ZERO_BETWEEN;
  const edge = Math.sqrt((eps * eps * 2 * w * w / 6) / (1 - (4 * eps * eps) / 6));
  assert.ok(Math.abs(edge - eps * rms(w, edge)) < 1e-12);
  assert.equal(twoByTwo(w, edge * 0.99).index, null);
  assert.equal(typeof twoByTwo(w, edge * 1.01).index, 'number');
  assert.equal(selectivityValue(twoByTwo(w, edge * 1.01)), (w / (edge * 1.01)).toFixed(3));
});
