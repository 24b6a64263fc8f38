import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categorySections } from '../../../src/extension/language/categories';
import { RecentList, type MementoLike } from '../../../src/extension/recent';

test('category sections run from the header to the last non-blank line before the next header', () => {
  const lines = [
    '# space and fruit', // 0
    'orphan',            // 1: before the first category
    '[space]',           // 2
    'moon',              // 3
    '# a comment',       // 4
    'star',              // 5
    '',                  // 6
    '  [ fruit ]  # tail comment', // 7
    'I saw {her}.',      // 8
    '',                  // 9
    '[empty]',           // 10
    '',                  // 11
  ];
  assert.deepEqual(categorySections(lines), [
    { name: 'space', start: 2, end: 5, entries: 2 },
    { name: 'fruit', start: 7, end: 8, entries: 1 },
    { name: 'empty', start: 10, end: 10, entries: 0 },
  ]);
  assert.deepEqual(categorySections([]), []);
  assert.deepEqual(categorySections(['a', 'b', '[not a header', 'x]']), []);
});

class FakeMemento implements MementoLike {
  readonly store = new Map<string, unknown>();
  get<T>(key: string): T | undefined { return this.store.get(key) as T | undefined; }
  update(key: string, value: unknown): Thenable<void> { this.store.set(key, value); return Promise.resolve(); }
}

test('recent lists keep the latest first, without duplicates, up to their size, and survive junk in storage', async () => {
  const memento = new FakeMemento();
  const recent = new RecentList(memento, 'k', 3);
  assert.deepEqual(recent.items(), []);
  for (const s of ['a', 'b', 'c', 'a', 'd']) await recent.push(s);
  assert.deepEqual(recent.items(), ['d', 'a', 'c']);
  await recent.remove('a');
  assert.deepEqual(recent.items(), ['d', 'c']);
  memento.store.set('k', ['x', 42, null, 'y']);
  assert.deepEqual(recent.items(), ['x', 'y']);
  memento.store.set('k', 'not a list');
  assert.deepEqual(recent.items(), []);
});
