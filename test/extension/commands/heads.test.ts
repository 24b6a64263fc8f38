// "MechLens: Attention Heads…" through the fake vscode module (texts are read by text-input.ts, tested
// in lens-input.test.ts): a file from the explorer, the palette's
// probe with N and seed, the input handed to the job, the panel, and a file without texts; and the
// extension table's pieces for the job (status line, Inspector data, re-run check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeUri, recorded, type QuickPickItem } from '../fake-vscode';
import { commandHarness, byPrefix, Memory } from './command-harness';
import type { HeadsResult } from '../../../src/protocol/result';
import type { HeadsInput } from '../../../src/core/analyses/heads';
import { RecentList } from '../../../src/extension/recent';
import { extensionJobs } from '../../../src/extension/job-table';

const h = commandHarness(() => import('../../../src/extension/commands/heads'));
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'webview', 'fixtures', 'heads-result.regression.json'), 'utf8')) as HeadsResult;
const activeItem = (_items: QuickPickItem[], active: QuickPickItem[]) => active[0];

function services(inputs: HeadsInput[]) {
  const memory = new Memory();
  return { ...h.panelServices(memory), runHeads: async (input: HeadsInput) => { inputs.push(input); return fixture; }, cachedModelNames: () => new Set<string>(), recentModels: new RecentList(memory, 'models') };
}

test('a .sentences file from the explorer: its texts and the model run with patterns for the panel; the panel shows the result', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-heads-cmd-'));
  try {
    const file = path.join(dir, 'names.sentences');
    fs.writeFileSync(file, '[names]\nWhen {Mary} and John went out, John thanked Mary\n# skip\nThe cat sat on the mat\n');
    recorded.quickPickAnswers.push(activeItem);
    const inputs: HeadsInput[] = [];
    const out = await h.command.attentionHeads(services(inputs) as never, { uri: FakeUri.file(file) as never });
    assert.equal(out, fixture);
    assert.deepEqual(inputs, [{ model: 'gpt2-medium', patterns: true, maxPatternValues: h.command.PANEL_PATTERN_VALUES, cacheDir: undefined, offline: false,
      texts: ['When Mary and John went out, John thanked Mary', 'The cat sat on the mat'], textsSource: file }]);
    assert.equal(recorded.quickPicks[0].title, 'MechLens: Attention Heads — model');
    assert.equal(recorded.panels.length, 1);
    assert.ok(recorded.log.some((l) => l.startsWith('info Attention heads finished in')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the palette\'s probe: N and seed asked, the model second; the input is the probe, not texts', async () => {
  recorded.quickPickAnswers.push(byPrefix('Repeated random tokens'), activeItem);
  recorded.inputBoxAnswers.push('30', '7');
  const inputs: HeadsInput[] = [];
  await h.command.attentionHeads(services(inputs) as never, {});
  assert.equal(inputs[0].repeatRandom, 30);
  assert.equal(inputs[0].seed, 7);
  assert.equal(inputs[0].texts, undefined);
  assert.equal(recorded.quickPicks[1].title, 'MechLens: Attention Heads — model');
});

test('a file without texts is refused with a message that names it and offers another file; nothing runs', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-heads-cmd-'));
  try {
    const file = path.join(dir, 'empty.txt');
    fs.writeFileSync(file, '# nothing\n\n');
    const inputs: HeadsInput[] = [];
    assert.equal(await h.command.attentionHeads(services(inputs) as never, { uri: FakeUri.file(file) as never }), undefined);
    assert.equal(inputs.length, 0);
    assert.match(recorded.errors[0], /the file has no texts/);
    assert.match(recorded.errors[0], /empty\.txt/);
    assert.deepEqual(recorded.errorButtons[0], ['Choose Another File']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the job table: status line with the top induction head, the Inspector\'s head page, and the probe\'s re-run check', () => {
  const job = extensionJobs.heads;
  assert.equal(job.command, 'mechlens.attentionHeads');
  const summary = job.summary(fixture);
  assert.match(summary.text, /random-gemma2 · heads · 16 random tokens ×2 · CPU/);
  assert.match(summary.tooltip, /induction L[13]H\d 0\.0\d\d/);
  const data = job.inspect(fixture, [], { kind: 'head', layer: 1, head: 2 }, 8);
  assert.ok(data?.kind === 'head');
  assert.deepEqual(data.scores.map((s) => s.name), ['previous-token', 'duplicate-token', 'induction']);
  assert.equal(data.scores[2].value, fixture.scores.induction[1][2]);
  assert.deepEqual(data.series[0].values, fixture.scores.previousToken.map((row) => row[2]));
  assert.equal(data.texts.length, 1);
  assert.deepEqual(job.inspect(fixture, ['L3H0'], undefined, 8)?.kind, 'head');
  assert.equal(job.inspect(fixture, ['L9H0'], undefined, 8), undefined);
  assert.deepEqual(job.validateRerun({ job: 'heads', repeatTokens: 40, seed: 3 }, undefined), { job: 'heads', repeatTokens: 40, seed: 3 });
  assert.throws(() => job.validateRerun({ job: 'heads', repeatTokens: 1, seed: 3 }, undefined), /repeatTokens = 1/);
  assert.throws(() => job.validateRerun({ job: 'heads', repeatTokens: 10, seed: -1 }, undefined), /seed = -1/);
});
