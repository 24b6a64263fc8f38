// The three head detectors on hand-made patterns whose scores are known exactly, the mean over texts,
// and the repeat-random probe's tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scoreHeads } from '../../src/core/analyses/head-detectors';
import { meanScores, repeatedRandomTokens } from '../../src/core/analyses/heads';
import { writeRandomCheckpoint, writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { loadTokenizer } from '../../src/core/models/tokenizer';

/** heads × T × T from one function per head giving A[q][k]. */
function patternOf(T: number, heads: ((q: number, k: number) => number)[]): Float64Array {
  const out = new Float64Array(heads.length * T * T);
  heads.forEach((a, h) => { for (let q = 0; q < T; q++) for (let k = 0; k <= q; k++) out[(h * T + q) * T + k] = a(q, k); });
  return out;
}

const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) < 1e-12, `${what}: ${got} vs ${want}`);

test('a head on the previous token scores (T − 1)/T previous-token, and 0 on other detectors when no token repeats', () => {
  const tokens = [10, 11, 12, 13, 14, 15, 16];
  const T = tokens.length;
  const s = scoreHeads(patternOf(T, [(q, k) => (q === 0 ? 1 : k === q - 1 ? 1 : 0)]), 1, tokens);
  close(s.previousToken[0], (T - 1) / T, 'previous');
  close(s.duplicateToken[0], 0, 'duplicate');
  close(s.induction[0], 0, 'induction');
});

test('on a repeated sequence, hand-built induction, duplicate, previous-token and uniform heads score as the definitions say, each head on its own', () => {
  const n = 5;
  const half = [21, 22, 23, 24, 25];
  const tokens = [0, ...half, ...half]; // BOS + R + R, T = 2n + 1
  const T = tokens.length;
  const second = (q: number) => q > n;
  const heads = [
    // induction: each token of the second copy attends to the token after its earlier copy (k = q − n + 1); the rest to BOS
    (q: number, k: number) => (second(q) ? (k === q - n + 1 ? 1 : 0) : k === 0 ? 1 : 0),
    // duplicate: the second copy attends to the earlier copy of its own token (k = q − n)
    (q: number, k: number) => (second(q) ? (k === q - n ? 1 : 0) : k === 0 ? 1 : 0),
    // previous token, everywhere but the first position
    (q: number, k: number) => (q === 0 || k === q - 1 ? 1 : 0),
    // uniform over the causal keys
    (q: number) => 1 / (q + 1),
    // half on the previous token, half on the induction target
    (q: number, k: number) => (q === 0 ? 1 : second(q) ? 0.5 * Number(k === q - 1) + 0.5 * Number(k === q - n + 1) : Number(k === q - 1)),
  ];
  const s = scoreHeads(patternOf(T, heads), heads.length, tokens);
  close(s.induction[0], n / T, 'induction head: induction');
  close(s.duplicateToken[0], 0, 'induction head: duplicate');
  close(s.previousToken[0], 1 / T, 'induction head: previous (only q = 1, whose BOS is k = q − 1)');
  close(s.duplicateToken[1], n / T, 'duplicate head: duplicate');
  close(s.induction[1], 0, 'duplicate head: induction');
  close(s.previousToken[2], (T - 1) / T, 'previous head: previous');
  close(s.induction[2], 0, 'previous head: induction');
  let prev = 0;
  let dup = 0;
  let ind = 0;
  for (let q = 0; q < T; q++) {
    for (let k = 0; k < q; k++) {
      if (k === q - 1) prev += 1 / (q + 1);
      if (tokens[k] === tokens[q]) dup += 1 / (q + 1);
      if (k >= 1 && tokens[k - 1] === tokens[q]) ind += 1 / (q + 1);
    }
  }
  close(s.previousToken[3], prev / T, 'uniform: previous');
  close(s.duplicateToken[3], dup / T, 'uniform: duplicate');
  close(s.induction[3], ind / T, 'uniform: induction');
  close(s.previousToken[4], (T - 1 - n / 2) / T, 'mixed: previous');
  close(s.induction[4], n / 2 / T, 'mixed: induction');
});

test('the pattern must be heads × T × T', () => {
  assert.throws(() => scoreHeads(new Float32Array(10), 1, [1, 2, 3]), /expected 1 heads × 3 × 3/);
});

test('scores are averaged over texts per (layer, head)', () => {
  const a = { previousToken: [[1, 0]], duplicateToken: [[0.5, 0.5]], induction: [[0, 0.25]] };
  const b = { previousToken: [[0, 0]], duplicateToken: [[0.5, 1.5]], induction: [[1, 0.75]] };
  assert.deepEqual(meanScores([a, b]), { previousToken: [[0.5, 0]], duplicateToken: [[0.5, 1]], induction: [[0.5, 0.5]] });
});

test('the repeat-random probe: BOS + N ordinary tokens + the same N, reproducible from the seed', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mechlens-probe-'));
  writeRandomGpt2Checkpoint(join(tmp, 'gpt2'), { nLayer: 1, nEmbd: 16, nHead: 2, seed: 1 });
  writeRandomCheckpoint(join(tmp, 'llama'), { family: 'llama', nLayer: 1, nEmbd: 16, nHead: 2, seed: 1 });
  const gpt2 = await loadTokenizer(join(tmp, 'gpt2'));
  const llama = await loadTokenizer(join(tmp, 'llama'));
  const a = repeatedRandomTokens(gpt2, 50257, 40, 5);
  assert.deepEqual(repeatedRandomTokens(gpt2, 50257, 40, 5), a, 'same seed, same tokens');
  assert.notDeepEqual(repeatedRandomTokens(gpt2, 50257, 40, 6).ids, a.ids, 'another seed, other tokens');
  assert.equal(a.ids.length, 81);
  assert.equal(a.bos, 50256, 'GPT-2 has no BOS of its own: <|endoftext|>, as TransformerLens prepends');
  assert.equal(a.ids[0], 50256);
  assert.deepEqual(a.ids.slice(1, 41), a.ids.slice(41));
  assert.ok(a.ids.slice(1).every((id) => id >= 0 && id < 50256), 'ordinary tokens only');
  assert.ok(new Set(a.ids.slice(1, 41)).size > 35, 'spread over the vocabulary');
  const b = repeatedRandomTokens(llama, 50304, 10, 0);
  assert.equal(b.ids[0], 50257, 'Llama: the BOS its post-processor adds');
  assert.ok(b.ids.slice(1).every((id) => id < 50256), 'neither <|endoftext|> nor <|begin_of_text|> nor ids past the tokenizer');
  assert.throws(() => repeatedRandomTokens(gpt2, 50257, 1, 0), /at least 2 random tokens/);
});
