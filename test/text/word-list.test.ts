import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parseWordList, readWordListFile } from '../../src/core/text/word-list';
import { MechLensError } from '../../src/core/errors';

function parseError(text: string): MechLensError {
  try {
    parseWordList(text, 'list.words');
  } catch (e) {
    assert.ok(e instanceof MechLensError, `expected MechLensError, got ${String(e)}`);
    assert.equal(e.code, 'parse');
    return e;
  }
  assert.fail('expected a parse error');
}

test('parses categories, comments, blank lines and uncategorised words', () => {
  const wl = parseWordList('# header comment\nloose\n\n[space]\nspace\n  spaceship  \n# note\n[fruit]\napple\n', 'x.words');
  assert.deepEqual(wl.items, [
    { word: 'loose', category: null, line: 2 },
    { word: 'space', category: 'space', line: 5 },
    { word: 'spaceship', category: 'space', line: 6 },
    { word: 'apple', category: 'fruit', line: 9 },
  ]);
  assert.deepEqual(wl.categories, ['space', 'fruit']);
  assert.equal(wl.warnings.length, 1);
  assert.match(wl.warnings[0], /^x\.words:9: category \[fruit\] has one word/);
});

test('CRLF, CR, mixed endings and a BOM give the same list and line numbers', () => {
  const lf = parseWordList('[a]\nx\ny\n[b]\nz');
  for (const variant of ['\ufeff[a]\r\nx\r\ny\r\n[b]\r\nz\r\n', '[a]\rx\ry\r[b]\rz', '[a]\r\nx\ny\r[b]\r\nz\n']) {
    assert.deepEqual(parseWordList(variant), lf);
  }
});

test('non-ASCII words are kept as written', () => {
  const wl = parseWordList('[x]\ncafé\nnaïve\n日本\nЖ\n😀\n');
  assert.deepEqual(wl.items.map((i) => i.word), ['café', 'naïve', '日本', 'Ж', '😀']);
});

test('the bundled samples parse', () => {
  const a = readWordListFile('samples/space-furniture-fruit.words');
  assert.equal(a.items.length, 20);
  assert.equal(a.categories.length, 3);
  const b = readWordListFile('samples/next-word.words');
  assert.equal(b.items.length, 34);
});

test('a duplicate word names both lines', () => {
  const e = parseError('[a]\napple\n[b]\npear\napple\n');
  assert.equal(e.line, 5);
  assert.match(e.message, /^list\.words:5: Duplicate word "apple" \(first on line 2\)/);
});

test('words differing only in case are kept, with a warning', () => {
  const wl = parseWordList('Apple\napple\n');
  assert.equal(wl.items.length, 2);
  assert.equal(wl.warnings.length, 1);
  assert.match(wl.warnings[0], /:2: "apple" differs from "Apple" \(line 1\) only in case/);
});

test('empty category, [] and a repeated header are errors naming the line', () => {
  assert.equal(parseError('[a]\n[b]\nx\n').line, 1);
  assert.match(parseError('[a]\n[b]\nx\n').message, /Category \[a\] has no words/);
  assert.equal(parseError('x\n[last]\n# only a comment\n').line, 2);
  assert.match(parseError('[ ]\nx').message, /Empty category name/);
  const twice = parseError('[a]\nx\n[b]\ny\n[a]\nz\n');
  assert.equal(twice.line, 5);
  assert.match(twice.message, /appears twice \(first on line 1\)/);
});

test('unbalanced brackets are errors naming the line', () => {
  assert.equal(parseError('[a]\nx\n[fruit\napple').line, 3);
  assert.equal(parseError('x\nfruit]\n').line, 2);
  assert.match(parseError('[a]]\nx').message, /brackets inside/);
});

test('a word with a space inside is refused with a fix', () => {
  const e = parseError('[food]\nice cream\n');
  assert.equal(e.line, 2);
  assert.match(e.message, /has a space inside/);
  assert.match(e.message, /ice_cream/);
});

test('control characters, NUL and decoding debris are unreadable lines', () => {
  assert.equal(parseError('a\nb\u0000c\n').line, 2);
  assert.match(parseError('a\nb\u0000c\n').message, /control character U\+0000 at column 2/);
  assert.equal(parseError('a\n\u0007\n').line, 2);
  assert.match(parseError('ok\nbad\ufffd\n').message, /not valid text/);
  assert.match(parseError('x'.repeat(20_000)).message, /20000 characters long/);
});

test('empty files, comment-only files and header-free blank files have no words', () => {
  for (const text of ['', '\n\n', '\ufeff', '# only\n# comments\n', '   \r\n\t\n']) {
    assert.match(parseError(text).message, /has no words/);
  }
});

test('one word only is a valid list', () => {
  assert.deepEqual(parseWordList('solo').items, [{ word: 'solo', category: null, line: 1 }]);
});

test('readWordListFile rejects invalid UTF-8 and UTF-16, naming the line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  const bad = path.join(dir, 'bad.words');
  fs.writeFileSync(bad, Buffer.concat([Buffer.from('[a]\nfine\n'), Buffer.from([0x63, 0xc3, 0x28]), Buffer.from('\n')]));
  assert.throws(() => readWordListFile(bad), (e: unknown) => e instanceof MechLensError && e.line === 3 && /not valid UTF-8 \(byte 10 is 0xc3\)/.test(e.message));
  const utf16 = path.join(dir, 'u16.words');
  fs.writeFileSync(utf16, Buffer.from('\ufeffapple\n', 'utf16le'));
  assert.throws(() => readWordListFile(utf16), /UTF-16/);
  const garbage = path.join(dir, 'garbage.words');
  fs.writeFileSync(garbage, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]));
  assert.throws(() => readWordListFile(garbage), (e: unknown) => e instanceof MechLensError && e.code === 'parse' && e.line === 1);
  assert.throws(() => readWordListFile(path.join(dir, 'nope.words')), (e: unknown) => e instanceof MechLensError && e.code === 'not-found');
});

test('a file of 1,000,000 lines parses', () => {
  const words = Array.from({ length: 1_000_000 }, (_, i) => `w${i}`);
  const wl = parseWordList(`[all]\n${words.join('\n')}`);
  assert.equal(wl.items.length, 1_000_000);
  assert.equal(wl.items[999_999].line, 1_000_001);
});

test('property: any text gives a valid list or a parse error, never another exception', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.array(fc.constantFrom('[a]', '[b]', 'x', 'y', '#c', '', ' z ', '[', ']', 'p q', '\r', '\u0000'), { maxLength: 30 }).map((a) => a.join('\n'))), (text) => {
      try {
        const wl = parseWordList(text);
        assert.ok(wl.items.length > 0);
        const seen = new Set<string>();
        for (const item of wl.items) {
          assert.ok(item.word.length > 0 && !/\s/.test(item.word) && !seen.has(item.word));
          seen.add(item.word);
          assert.ok(item.category === null || wl.categories.includes(item.category));
        }
        for (const c of wl.categories) assert.ok(wl.items.some((i) => i.category === c));
      } catch (e) {
        if (!(e instanceof MechLensError) || e.code !== 'parse') throw e;
      }
    }),
    { numRuns: 500 },
  );
});

test('a category with one word is kept, with a warning that its selectivity is undefined', () => {
  const wl = parseWordList('[a]\nx\ny\n[b]\nz\n', 'l.words');
  assert.equal(wl.items.length, 3);
  assert.deepEqual(wl.warnings, ['l.words:5: category [b] has one word ("z"), so its within-category similarity (and the selectivity index) is undefined; add a second word to include it.']);
});
