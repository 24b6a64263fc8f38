import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseText } from '../../../src/extension/language/document-diagnostics';

test('a valid word list has no diagnostics; words differing only in case are warned about on their line', () => {
  assert.deepEqual(diagnoseText('[space]\nmoon\nstar\n[fruit]\napple\npear\n', 'words'), []);
  const d = diagnoseText('[space]\nmoon\nstar\n[fruit]\nApple\napple\n', 'words');
  assert.equal(d.length, 1);
  assert.equal(d[0].line, 5);
  assert.equal(d[0].severity, 'warning');
  assert.match(d[0].message, /^"apple" differs from "Apple" \(line 5\) only in case/);
});

test('parser errors land on their line, without a file prefix; duplicates can be removed', () => {
  const dup = diagnoseText('[space]\nmoon\nstar\nmoon\n', 'words');
  assert.deepEqual(dup, [{ line: 3, severity: 'error', removable: true, message: 'Duplicate word "moon" (first on line 2). Remove one of the two lines; a word can be in one category only.' }]);
  const empty = diagnoseText('[space]\n[fruit]\napple\n', 'words');
  assert.equal(empty[0].severity, 'error');
  assert.match(empty[0].message, /\[space\] has no words/);
  assert.equal(empty[0].removable, false);
  const spaced = diagnoseText('[x]\nice cream\n', 'words');
  assert.equal(spaced[0].line, 1);
  assert.match(spaced[0].message, /has a space inside/);
  assert.equal(diagnoseText('# only a comment\n', 'words')[0].line, 0);
});

test('sentence sets: unbalanced markers are errors, repeated sentences warnings, target-less sentences noted', () => {
  assert.deepEqual(diagnoseText('[him]\nI saw {him}.\n[her]\nI saw {her}.\n', 'sentences'), []);
  const bad = diagnoseText('[him]\nI saw {him.\n', 'sentences');
  assert.equal(bad[0].line, 1);
  assert.match(bad[0].message, /Unbalanced "\{"/);
  const d = diagnoseText('[him]\nI saw {him}.\nI saw {him}.\n[her]\nShe left.\n', 'sentences');
  assert.deepEqual(d.map((x) => [x.line, x.severity, x.removable ?? false]), [[2, 'warning', true], [4, 'warning', false]]);
  assert.match(d[1].message, /No \{target\} marker while other sentences are marked: mark the word to read in \{braces\}/);
  assert.doesNotMatch(d[1].message, /--target/);
  const none = diagnoseText('[him]\nHe left.\n[her]\nShe left.\n', 'sentences');
  assert.deepEqual(none.map((x) => [x.line, x.severity]), [[1, 'information'], [3, 'information']]);
  assert.match(none[0].message, /the job reads the last token/);
});
