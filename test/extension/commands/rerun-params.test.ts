// The checks on re-run parameters from a panel: every field's type and range, the job tag, the
// model-bounded layer and hook, and messages that name the field and the allowed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateAttentionRerun, validateCompareRerun, validateContrastRerun } from '../../../src/extension/commands/rerun-params';
import { hookConfigFor } from '../../../src/extension/commands/model-hook-picks';
import { MechLensError } from '../../../src/core/errors';

const compare = { job: 'compare', permutations: 1000, perplexity: null, eps: null, minSamples: 3, k: null };
const attention = { job: 'attention', layer: 5, template: 'The next word is {word}', permutations: 1000 };
const contrast = { job: 'contrast', hook: 'blocks.5.mlp.hook_pre', test: 'welch', correction: 'fdr', alpha: 0.05, perplexity: 30, eps: 1, minSamples: 3, k: 3, shuffles: 200 };

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MechLensError, String(err));
    assert.equal(err.code, 'bad-argument');
    assert.match(err.message, pattern);
    return true;
  });
}

test('valid parameters come back typed, with nothing extra carried over', () => {
  assert.deepEqual(validateCompareRerun({ ...compare, extra: 'x', __proto__: { permutations: 5 } }), compare);
  assert.deepEqual(validateCompareRerun({ ...compare, perplexity: 12.5, eps: 0.8 }), { ...compare, perplexity: 12.5, eps: 0.8 });
  assert.deepEqual(validateAttentionRerun(attention, 24), attention);
  assert.deepEqual(validateContrastRerun({ ...contrast, hook: ' blocks.5.mlp.hook_pre ' }, hookConfigFor('gpt2-medium')), contrast);
});

test('numbers: NaN, infinities, strings, fractions of whole numbers and out-of-range values are refused, naming the field', () => {
  refused(() => validateCompareRerun({ ...compare, permutations: -1 }), /permutations = -1.*whole number from 0 to 100000/);
  refused(() => validateCompareRerun({ ...compare, permutations: 10.5 }), /permutations = 10\.5/);
  refused(() => validateCompareRerun({ ...compare, permutations: '100' }), /permutations = "100"/);
  refused(() => validateCompareRerun({ ...compare, perplexity: Number.NaN }), /perplexity = null.*number from 1 to 100/);
  refused(() => validateCompareRerun({ ...compare, perplexity: 0.5 }), /perplexity = 0\.5/);
  refused(() => validateCompareRerun({ ...compare, eps: 0 }), /eps = 0.*above 0/);
  refused(() => validateCompareRerun({ ...compare, minSamples: 0 }), /minSamples = 0/);
  refused(() => validateCompareRerun({ ...compare, minSamples: undefined }), /minSamples = undefined/);
  refused(() => validateContrastRerun({ ...contrast, alpha: 0 }), /alpha = 0.*above 0 up to 0\.5/);
  refused(() => validateContrastRerun({ ...contrast, alpha: 0.9 }), /alpha = 0\.9/);
  refused(() => validateContrastRerun({ ...contrast, k: 0 }), /k = 0/);
  refused(() => validateContrastRerun({ ...contrast, shuffles: 1e7 }), /shuffles = 10000000/);
  refused(() => validateContrastRerun({ ...contrast, eps: Infinity }), /eps = null/);
});

test('choices and text: unknown tests or corrections, templates without {word}, hooks the model lacks', () => {
  refused(() => validateContrastRerun({ ...contrast, test: 'mann-whitney' }, null), /test = "mann-whitney".*student or welch/);
  refused(() => validateContrastRerun({ ...contrast, correction: 'holm' }, null), /correction = "holm".*bonferroni or fdr/);
  refused(() => validateContrastRerun({ ...contrast, hook: 'blocks.99.mlp.hook_pre' }, hookConfigFor('gpt2')), /hook = "blocks\.99\.mlp\.hook_pre"/);
  refused(() => validateContrastRerun({ ...contrast, hook: 'x'.repeat(600) }, null), /text of at most 500 characters/);
  refused(() => validateAttentionRerun({ ...attention, template: 'no placeholder' }, 24), /template = "no placeholder".*needs a \{word\} placeholder/);
  refused(() => validateAttentionRerun({ ...attention, template: 42 }, 24), /template = 42/);
});

test('the layer is bounded by the model when its layer count is known', () => {
  assert.equal(validateAttentionRerun({ ...attention, layer: 23 }, 24).layer, 23);
  refused(() => validateAttentionRerun({ ...attention, layer: 24 }, 24), /layer = 24.*from 0 to 23/);
  assert.equal(validateAttentionRerun({ ...attention, layer: 40 }).layer, 40);
  refused(() => validateAttentionRerun({ ...attention, layer: -1 }), /layer = -1/);
});

test('a missing or foreign job tag, or no object at all, is refused', () => {
  refused(() => validateCompareRerun(null), /without parameters/);
  refused(() => validateCompareRerun([compare]), /without parameters/);
  refused(() => validateCompareRerun({ ...compare, job: 'attention' }), /re-run job "attention", but it shows a compare result/);
  refused(() => validateAttentionRerun({ ...attention, job: undefined }), /re-run job "undefined"/);
});
