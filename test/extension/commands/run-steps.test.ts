// The multi-step question every job command asks through (job-flow.ts runSteps): counters count only
// the steps asked, whichever are skipped, the first step asked has no Back, and Back returns to the
// step asked before, past skipped ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandHarness } from './command-harness';
import type { Back, StepAt } from '../../../src/extension/commands/job-flow';

const h = commandHarness(() => import('../../../src/extension/commands/job-flow'));

/** Steps named a, b, c, …; each answers from `script` (true, false or 'back') and records what it was shown. */
function scripted(names: string[], script: (boolean | 'back')[], when: Record<string, () => boolean> = {}) {
  const shown: string[] = [];
  const steps = names.map((name) => ({
    when: when[name],
    ask: async (at: StepAt): Promise<boolean | Back> => {
      shown.push(`${name} (${at.step}/${at.totalSteps})${at.back ? ' back' : ''}`);
      const answer = script.shift();
      assert.notEqual(answer, undefined, `no answer left for ${name}`);
      return answer === 'back' ? h.command.BACK : answer!;
    },
  }));
  return { steps, shown };
}

test('counters count the steps asked: a skipped step is neither shown nor counted, and the count follows the answers', async () => {
  let needsC = false;
  const { steps, shown } = scripted(['a', 'b', 'c', 'd'], [true, true, true], { c: () => needsC });
  assert.equal(await h.command.runSteps(steps), true);
  assert.deepEqual(shown, ['a (1/3)', 'b (2/3) back', 'd (3/3) back']);

  // b's answer makes c needed: from b on, the counters say four steps.
  needsC = false;
  const second = scripted(['a', 'b', 'c', 'd'], [true, true, true, true], { c: () => needsC });
  const b = second.steps[1];
  second.steps[1] = { ...b, ask: async (at) => { const out = await b.ask(at); needsC = true; return out; } };
  assert.equal(await h.command.runSteps(second.steps), true);
  assert.deepEqual(second.shown, ['a (1/3)', 'b (2/3) back', 'c (3/4) back', 'd (4/4) back']);
});

test('Back returns to the step asked before, past a skipped one; the first step asked has no Back, even when it is not the first step', async () => {
  const { steps, shown } = scripted(['a', 'b', 'c'], [true, 'back', true, true], { b: () => false });
  assert.equal(await h.command.runSteps(steps), true);
  assert.deepEqual(shown, ['a (1/2)', 'c (2/2) back', 'a (1/2)', 'c (2/2) back']);

  const skippedFirst = scripted(['a', 'b'], [true, true], { a: () => false });
  assert.equal(await h.command.runSteps(skippedFirst.steps), true);
  assert.deepEqual(skippedFirst.shown, ['b (1/1)']);
});

test('Escape at any step stops the question', async () => {
  const { steps, shown } = scripted(['a', 'b', 'c'], [true, false]);
  assert.equal(await h.command.runSteps(steps), false);
  assert.deepEqual(shown, ['a (1/3)', 'b (2/3) back']);
});

test('keepAnswer stores an answer and goes on; Back and Escape pass through', () => {
  let stored: string | undefined;
  assert.equal(h.command.keepAnswer('x', (v) => { stored = v; }), true);
  assert.equal(stored, 'x');
  assert.equal(h.command.keepAnswer<string>(h.command.BACK, () => assert.fail('Back stores nothing')), h.command.BACK);
  assert.equal(h.command.keepAnswer<string>(undefined, () => assert.fail('Escape stores nothing')), false);
});
