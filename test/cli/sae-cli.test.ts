// mechlens sae end to end: a random GPT-2 (the seeded checkpoint of test/fixtures/sae/dump-activations.ts)
// with an SAELens SAE at blocks.1.hook_resid_pre, against numpy's encoding of MechLens's own captured
// activations (make_sae_fixtures.py); and the same SAE from a local stand-in for the hub, by hf: spec
// and by catalog id, through the model download code (cache, records, offline).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSae } from '../../src/core/analyses/sae';
import { loadSae } from '../../src/core/models/sae/load';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import type { SaeResult } from '../../src/protocol/result';
import { builtCli } from '../helpers/cli';
import { FakeHub } from '../helpers/fake-hub';
import { SAE_FIXTURE_CHECKPOINT, SAE_FIXTURE_TEXTS } from '../fixtures/sae/dump-activations';

const fixtures = path.join(__dirname, '../fixtures/sae');
const saeDir = path.join(fixtures, 'e2e/sae');
type Expected = { top: number; features: { max: number[]; density: number[]; meanActive: number[] }; texts: { text: string; tokens: number[]; rows: { top: [number, number][]; l0: number }[]; mse: number; varianceExplained: number | null }[] };
const expected = JSON.parse(fs.readFileSync(path.join(fixtures, 'e2e/expected.json'), 'utf8')) as Expected;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-saecli-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const model = path.join(tmp, 'tiny-gpt2');
const hub = new FakeHub();

before(async () => {
  writeRandomGpt2Checkpoint(model, SAE_FIXTURE_CHECKPOINT);
  await hub.start();
  hub.addFolder('jbloom/GPT2-Small-SAEs-Reformatted', 'blocks.1.hook_resid_pre', saeDir);
  hub.addFolder('google/gemma-scope-2b-pt-res', 'layer_3/width_16k/average_l0_9', path.join(fixtures, 'unit/gemma-scope-2b-pt-res/layer_3/width_16k/average_l0_9'));
});
after(() => hub.stop());

function cli(args: string[]) {
  return spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', cwd: tmp, env: { ...process.env, MECHLENS_EXECUTION_PROVIDER: 'cpu', MECHLENS_CACHE: path.join(tmp, 'cache') } });
}

const close = (actual: number, wanted: number, what: string) =>
  assert.ok(Math.abs(actual - wanted) <= 1e-4 * Math.max(1, Math.abs(wanted)), `${what}: ${actual} vs numpy ${wanted}`);

function checkAgainstNumpy(result: SaeResult) {
  assert.equal(result.hook, 'blocks.1.hook_resid_pre');
  assert.equal(result.dSae, 96);
  assert.equal(result.bosPrepended, true, 'the SAE says prepend_bos, and GPT-2 adds no BOS itself');
  assert.equal(result.bosFrom, 'sae-config');
  assert.equal(result.texts.length, expected.texts.length);
  result.texts.forEach((t, i) => {
    const want = expected.texts[i];
    assert.equal(t.text, want.text);
    assert.deepEqual(t.tokens.map((x) => x.id), want.tokens);
    assert.equal(t.tokens[0].token, '<|endoftext|>');
    assert.equal(t.positions.length, want.rows.length);
    t.positions.forEach((p, r) => {
      assert.deepEqual(p.top.map((x) => x.feature), want.rows[r].top.map(([f]) => f), `text ${i} token ${r}: top features in numpy's order`);
      p.top.forEach((x, k) => close(x.value, want.rows[r].top[k][1], `text ${i} token ${r} value ${k}`));
      assert.equal(p.l0, want.rows[r].l0, `text ${i} token ${r}: L0`);
    });
    close(t.mse!, want.mse, `text ${i} MSE`);
    if (want.varianceExplained === null) assert.equal(t.varianceExplained, null);
    else close(t.varianceExplained!, want.varianceExplained, `text ${i} variance explained`);
  });
}

test('mechlens sae matches numpy on a random GPT-2 with an SAELens SAE at blocks.1.hook_resid_pre', () => {
  const out = path.join(tmp, 'out', 'sae.json');
  const r = cli(['sae', '--model', model, '--sae', saeDir, ...SAE_FIXTURE_TEXTS.flatMap((t) => ['--text', t]), '--top', String(expected.top), '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(fs.readFileSync(out, 'utf8')) as SaeResult;
  checkAgainstNumpy(result);
  assert.match(r.stderr, /texts start with a BOS \(the SAE's prepend_bos\)/);
  // Profiles: every feature of a top list that the panel can hover, on every token of every text.
  const first = result.texts[0].positions[1].top[0];
  const profile = result.profiles.find((p) => p.feature === first.feature)!;
  assert.equal(profile.activations[0][1], first.value);
  assert.deepEqual(profile.activations.map((a) => a.length), result.texts.map((t) => t.tokens.length));
  const active = result.texts.flatMap((t, ti) => t.tokens.slice(1).map((_, i) => profile.activations[ti][i + 1] !== 0));
  assert.equal(profile.density, active.filter(Boolean).length / active.length);
  // Max, mean when active and density over the same tokens (the BOS left out of all three), as numpy has them.
  for (const p of result.profiles) {
    close(p.max, expected.features.max[p.feature], `feature ${p.feature} max`);
    close(p.meanActive, expected.features.meanActive[p.feature], `feature ${p.feature} mean when active`);
    close(p.density, expected.features.density[p.feature], `feature ${p.feature} density`);
  }
  const maxima = result.profiles.map((p) => p.max);
  assert.deepEqual(maxima, [...maxima].sort((x, y) => y - x), 'strongest first, by that max');
  assert.equal(result.title, `SAE features of tiny-gpt2 at blocks.1.hook_resid_pre: ${SAE_FIXTURE_TEXTS.length} texts`);
});

test('mechlens sae --features computes those features only and says there is no reconstruction', () => {
  const out = path.join(tmp, 'out', 'few.json');
  const r = cli(['sae', '--model', model, '--sae', saeDir, '--text', SAE_FIXTURE_TEXTS[0], '--features', '5,40,2', '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(fs.readFileSync(out, 'utf8')) as SaeResult;
  assert.deepEqual(result.features, [5, 40, 2]);
  assert.equal(result.texts[0].mse, null);
  const full = expected.texts[0].rows;
  result.texts[0].positions.forEach((p, r) => {
    const want = full[r].top.filter(([f]) => [5, 40, 2].includes(f));
    for (const x of p.top) assert.ok([5, 40, 2].includes(x.feature));
    // Features of the full top 8 that were asked for come out with the same values.
    for (const [f, v] of want) close(p.top.find((x) => x.feature === f)!.value, v, `token ${r} feature ${f}`);
  });
  assert.match(r.stderr, /Only 3 of 96 features were computed/);
});

test('mechlens sae refuses an SAE whose width is not the hook\'s, and a hook the model lacks, saying what to do', () => {
  const wrongWidth = cli(['sae', '--model', model, '--sae', path.join(fixtures, 'unit/standard'), '--text', 'Hello', '--json', path.join(tmp, 'x.json')]);
  assert.notEqual(wrongWidth.status, 0);
  assert.match(wrongWidth.stderr, /the SAE reads 16 values per token, but blocks\.1\.hook_resid_pre has 32/);
  const noHook = cli(['sae', '--model', model, '--sae', path.join(fixtures, 'unit/gemma-scope-2b-pt-res/layer_3/width_16k/average_l0_9'), '--text', 'Hello', '--json', path.join(tmp, 'y.json')]);
  assert.notEqual(noHook.status, 0);
  assert.match(noHook.stderr, /blocks\.3\.hook_resid_post/);
});

test('an SAE from the hub by hf: spec and by catalog id: downloaded once into the cache, then offline', async () => {
  const cacheDir = path.join(tmp, 'hub-cache');
  const saved = process.env.HF_ENDPOINT;
  process.env.HF_ENDPOINT = hub.endpoint;
  try {
    const byRepo = await runSae({ model, sae: 'hf:jbloom/GPT2-Small-SAEs-Reformatted/blocks.1.hook_resid_pre', texts: SAE_FIXTURE_TEXTS, top: expected.top, cacheDir, provider: 'cpu' });
    checkAgainstNumpy(byRepo);
    assert.equal(byRepo.sae.copy?.from, 'mechlens-cache');
    assert.equal(byRepo.sae.neuronpedia, null, 'an hf: spec is no known release');
    const gets = hub.log.filter((l) => l.method === 'GET').length;
    assert.ok(gets >= 2, 'cfg.json and the weights were fetched');
    const byCatalog = await runSae({ model, sae: 'gpt2-small-res-jb/blocks.1.hook_resid_pre', texts: SAE_FIXTURE_TEXTS, top: expected.top, cacheDir, offline: true, provider: 'cpu' });
    checkAgainstNumpy(byCatalog);
    assert.equal(hub.log.filter((l) => l.method === 'GET').length, gets, 'the catalog id reads the same cached folder, offline');
    assert.equal(byCatalog.sae.neuronpedia, 'https://www.neuronpedia.org/gpt2-small/1-res-jb');
    assert.ok(byCatalog.warnings.some((w) => /gpt2-small-res-jb was trained on gpt2/.test(w)));

    const gemma = await loadSae('gemma-scope-2b-pt-res/layer_3/width_16k/average_l0_9', { cacheDir });
    assert.deepEqual([gemma.config.format, gemma.config.hookName, gemma.neuronpediaId], ['gemma-scope', 'blocks.3.hook_resid_post', 'gemma-2-2b/3-gemmascope-res-16k']);
    assert.ok(hub.log.some((l) => l.url.endsWith('layer_3/width_16k/average_l0_9/params.npz')));
    await assert.rejects(loadSae('gpt2-small-res-jb/blocks.2.hook_resid_pre', { cacheDir }), /The hub has no blocks\.2\.hook_resid_pre\/cfg\.json for jbloom\/GPT2-Small-SAEs-Reformatted/);
    await assert.rejects(loadSae('gpt2-small-res-jb/blocks.3.hook_resid_pre', { cacheDir, offline: true }), /offline mode does not download/);
    // A catalog id the catalog only derived from the release's naming says so when the hub lacks it.
    await assert.rejects(loadSae('pythia-70m-deduped-res-sm/blocks.2.hook_resid_post', { cacheDir }),
      /HTTP 404.*catalog entry pythia-70m-deduped-res-sm\/blocks\.2\.hook_resid_post is a path not checked against the hub: its folder 2-res-sm follows the release's naming/s);
  } finally {
    if (saved === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = saved;
  }
});
