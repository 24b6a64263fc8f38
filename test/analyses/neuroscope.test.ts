// Neuroscope links only where neuroscope.io has neuron pages: GPT-2 small to XL and Pythia-70M.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neuroscopeBase } from '../../src/core/analyses/contrast';
import { allowedLinkPattern } from '../../src/protocol/messages';

test('neuroscopeBase: GPT-2 and Pythia-70M have pages; other families, other Pythia sizes and local folders none', () => {
  assert.equal(neuroscopeBase('gpt2'), 'https://neuroscope.io/gpt2-small');
  assert.equal(neuroscopeBase('gpt2-medium'), 'https://neuroscope.io/gpt2-medium');
  assert.equal(neuroscopeBase('EleutherAI/pythia-70m'), 'https://neuroscope.io/pythia-70m');
  for (const model of ['EleutherAI/pythia-160m', 'HuggingFaceTB/SmolLM2-135M', 'Qwen/Qwen2.5-0.5B', 'google/gemma-2-2b', '/tmp/gpt2', 'toString', '__proto__']) {
    assert.equal(neuroscopeBase(model), null, model);
  }
  // Every page this links to passes the host's filter of openable links.
  assert.match(`${neuroscopeBase('EleutherAI/pythia-70m')}/3/511.html`, allowedLinkPattern);
});
