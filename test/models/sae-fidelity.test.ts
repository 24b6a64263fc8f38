// SAE loading and encoding against numpy (test/fixtures/sae/make_sae_fixtures.py): SAELens standard
// (F32; F16 with constant_norm_rescale), jumprelu (BF16, layer_norm), topk (old cfg layout) and Gemma
// Scope's params.npz, on the same activations; top-k order, L0, MSE and variance explained to 1e-4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeSae, encodeSae, largestIndices, reconstructionStats } from '../../src/core/linalg/sae-encode';
import { forceGemmBackend, gemmCounts } from '../../src/core/linalg';
import { readSaeFiles, parseSaeSpec } from '../../src/core/models/sae/load';
import { parseGemmaScopePath } from '../../src/core/models/sae/config';
import type { Matrix } from '../../src/core/matrix';

const base = path.join(__dirname, '../fixtures/sae/unit');
const fixture = JSON.parse(fs.readFileSync(path.join(base, 'activations.json'), 'utf8')) as { dIn: number; dSae: number; texts: [number, number][]; top: number; x: number[][] };
type Expected = { rows: { top: [number, number][]; l0: number }[]; texts: { mse: number; varianceExplained: number | null }[]; acts: number[][] };
const expected = JSON.parse(fs.readFileSync(path.join(base, 'expected.json'), 'utf8')) as Record<string, Expected>;
const x: Matrix<Float32Array> = { rows: fixture.x.length, cols: fixture.dIn, data: Float32Array.from(fixture.x.flat()) };

const locations: Record<string, string> = {
  standard: 'standard', 'standard-norm': 'standard-norm', jumprelu: 'jumprelu', topk: 'topk',
  'gemma-scope': 'gemma-scope-2b-pt-res/layer_3/width_16k/average_l0_9/params.npz',
};

const close = (actual: number, wanted: number, what: string, tol = 1e-4) =>
  assert.ok(Math.abs(actual - wanted) <= tol * Math.max(1, Math.abs(wanted)), `${what}: ${actual} vs numpy ${wanted}`);

for (const [name, where] of Object.entries(locations)) {
  test(`${name}: features, top-k order, L0, MSE and variance explained match numpy`, () => {
    const sae = readSaeFiles(path.join(base, where));
    const want = expected[name];
    // Both backends: the GEMM the product really runs on, and the JavaScript reference kernel.
    for (const backend of ['onnx', 'js'] as const) {
      forceGemmBackend(backend);
      const before = gemmCounts[backend];
      const { acts, features, normalization } = encodeSae(x, sae.encoder);
      assert.equal(features, null);
      assert.ok(gemmCounts[backend] > before, `the encode ran on the ${backend} GEMM`);
      for (let r = 0; r < x.rows; r++) {
        for (let j = 0; j < acts.cols; j++) close(acts.data[r * acts.cols + j], want.acts[r][j], `${backend} f[${r}, ${j}]`);
        const row = acts.data.subarray(r * acts.cols, (r + 1) * acts.cols);
        const top = largestIndices(row, fixture.top, true);
        assert.deepEqual(top, want.rows[r].top.map(([f]) => f), `${backend} row ${r}: top features in numpy's order`);
        top.forEach((f, i) => close(row[f], want.rows[r].top[i][1], `${backend} row ${r} value ${i}`));
        assert.equal(row.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0), want.rows[r].l0, `${backend} row ${r}: L0`);
      }
      const xHat = decodeSae(acts, sae.encoder, normalization);
      fixture.texts.forEach(([start, end], t) => {
        const stats = reconstructionStats(x.data, xHat, x.cols, start, end);
        close(stats.mse, want.texts[t].mse, `${backend} text ${t} MSE`);
        if (want.texts[t].varianceExplained === null) assert.equal(stats.varianceExplained, null);
        else close(stats.varianceExplained!, want.texts[t].varianceExplained!, `${backend} text ${t} variance explained`);
      });
    }
    forceGemmBackend(undefined);
  });
}

test('the configs say what SAELens and Gemma Scope mean', () => {
  const standard = readSaeFiles(path.join(base, 'standard'));
  assert.deepEqual([standard.config.format, standard.config.architecture, standard.config.hookName, standard.config.prependBos, standard.dtype], ['saelens', 'standard', 'blocks.1.hook_resid_pre', true, 'F32']);
  const norm = readSaeFiles(path.join(base, 'standard-norm'));
  assert.deepEqual([norm.config.normalizeActivations, norm.config.applyBDecToInput, norm.dtype], ['constant_norm_rescale', false, 'F16']);
  const jump = readSaeFiles(path.join(base, 'jumprelu'));
  assert.deepEqual([jump.config.architecture, jump.config.hookName, jump.config.prependBos, jump.dtype], ['jumprelu', 'blocks.0.hook_mlp_out', false, 'BF16']);
  const topk = readSaeFiles(path.join(base, 'topk'));
  assert.deepEqual([topk.config.architecture, topk.config.k, topk.config.hookName, topk.config.normalizeActivations], ['topk', 5, 'blocks.1.hook_resid_post', 'none']);
  const gemma = readSaeFiles(path.join(base, locations['gemma-scope']));
  assert.deepEqual([gemma.config.format, gemma.config.architecture, gemma.config.hookName, gemma.config.applyBDecToInput, gemma.config.dIn, gemma.config.dSae],
    ['gemma-scope', 'jumprelu', 'blocks.3.hook_resid_post', false, fixture.dIn, fixture.dSae]);
  // The folder holding params.npz reads the same as the file.
  assert.equal(readSaeFiles(path.dirname(path.join(base, locations['gemma-scope']))).config.hookName, 'blocks.3.hook_resid_post');
  assert.deepEqual(parseGemmaScopePath('google/gemma-scope-2b-pt-mlp/layer_12/width_65k/average_l0_40'), { layer: 12, width: '65k', averageL0: 40, site: 'mlp', release: 'gemma-scope-2b-pt-mlp' });
  assert.equal(parseGemmaScopePath('/somewhere/layer_7/width_16k/average_l0_20')?.site, undefined);
});

test('asking for a few features multiplies by those columns only, and gives the same values', () => {
  const sae = readSaeFiles(path.join(base, 'jumprelu'));
  const picked = [31, 3, 17];
  const { acts, features } = encodeSae(x, sae.encoder, picked);
  assert.deepEqual(Array.from(features!), picked);
  assert.equal(acts.cols, 3);
  for (let r = 0; r < x.rows; r++) picked.forEach((f, j) => close(acts.data[r * 3 + j], expected.jumprelu.acts[r][f], `f[${r}, ${f}]`));
  // topk needs every pre-activation, and still reports only the features asked for, from the full encode.
  const topk = readSaeFiles(path.join(base, 'topk'));
  const t = encodeSae(x, topk.encoder, picked);
  for (let r = 0; r < x.rows; r++) picked.forEach((f, j) => close(t.acts.data[r * 3 + j], expected.topk.acts[r][f], `topk f[${r}, ${f}]`));
});

test('encoding leaves the activations and the SAE unchanged', () => {
  const sae = readSaeFiles(path.join(base, 'standard-norm'));
  const xBefore = Float32Array.from(x.data), bDec = Float32Array.from(sae.encoder.bDec);
  encodeSae(x, sae.encoder);
  assert.deepEqual(x.data, xBefore);
  assert.deepEqual(sae.encoder.bDec, bDec);
});

test('SAE specs: local paths, catalog ids with their hub folders, hf: specs, and errors that name the fix', () => {
  assert.deepEqual(parseSaeSpec(path.join(base, 'standard')), { kind: 'local', path: path.join(base, 'standard') });
  const jb = parseSaeSpec('gpt2-small-res-jb/blocks.8.hook_resid_pre');
  assert.equal(jb.kind, 'hub');
  if (jb.kind === 'hub') assert.deepEqual([jb.repo, jb.path, jb.hook, jb.neuronpediaId], ['jbloom/GPT2-Small-SAEs-Reformatted', 'blocks.8.hook_resid_pre', 'blocks.8.hook_resid_pre', 'gpt2-small/8-res-jb']);
  const gs = parseSaeSpec('gemma-scope-2b-pt-res/layer_20/width_16k/average_l0_71');
  if (gs.kind === 'hub') assert.deepEqual([gs.repo, gs.path, gs.hook, gs.neuronpediaId], ['google/gemma-scope-2b-pt-res', 'layer_20/width_16k/average_l0_71', 'blocks.20.hook_resid_post', 'gemma-2-2b/20-gemmascope-res-16k']);
  else assert.fail('gemma scope spec is a hub spec');
  assert.deepEqual(parseSaeSpec('hf:google/gemma-scope-2b-pt-res/layer_20/width_16k/average_l0_71/params.npz@abc123'), { kind: 'hub', repo: 'google/gemma-scope-2b-pt-res', path: 'layer_20/width_16k/average_l0_71', revision: 'abc123' });
  // Catalog ids whose hub folder was not seen in the repository are marked; checked ones are not.
  assert.equal(jb.kind === 'hub' && jb.unchecked, undefined);
  assert.equal(gs.unchecked, undefined);
  const other = parseSaeSpec('gemma-scope-2b-pt-res/layer_12/width_16k/average_l0_82');
  const pythia = parseSaeSpec('pythia-70m-deduped-res-sm/blocks.3.hook_resid_post');
  assert.deepEqual([other.kind === 'hub' && other.unchecked, pythia.kind === 'hub' && pythia.unchecked], [true, true]);
  assert.throws(() => parseSaeSpec('gpt2-small-res-jb/blocks.30.hook_resid_pre'), /has no SAE "blocks.30.hook_resid_pre".*Its SAEs are named like/s);
  assert.throws(() => parseSaeSpec('no/such/sae'), /neither an SAE file or folder nor a known SAE/);
  assert.throws(() => readSaeFiles(base), /not an SAE folder: no cfg.json and sae_weights.safetensors/);
});
