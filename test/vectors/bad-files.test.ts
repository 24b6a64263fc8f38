// Issue 7: every broken vector file gives one MechLensError naming the file, the line or record, and a fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { MechLensError } from '../../src/core/errors';
import { loadVectors, lookupVectors, scanVocabulary, writeVectorFile } from '../../src/core/vectors';
import { put, randomVectors, tmpDir } from './helpers';

async function formatError(p: Promise<unknown>, pattern: RegExp, line?: number): Promise<MechLensError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof MechLensError, `expected MechLensError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  if (line !== undefined) assert.equal(caught.line, line);
  assert.ok(caught.fix, 'the error carries a fix');
  return caught;
}

test('a text file cut in the middle of a row names the line and word', async () => {
  const dir = tmpDir();
  const file = put(dir, 'cut.txt', 'a 1 2 3\nb 4 5 6\nc 7 8');
  const e = await formatError(loadVectors(file), /The row has 2 values but the file has 3 dimensions for "c"/, 3);
  assert.ok(e.message.startsWith(file + ':3: '));
  await formatError(lookupVectors(file, ['c']), /for "c"/, 3);
  // Rows that are not asked for are not parsed, so a lookup of good rows still works.
  assert.deepEqual((await lookupVectors(file, ['a'])).missing, []);
});

test('a wrong dimension on one row names the line and word', async () => {
  const dir = tmpDir();
  const file = put(dir, 'dims.txt', '3 2\na 1 2\nbad 1 2 3\nc 5 6\n');
  await formatError(loadVectors(file), /The row has 3 values but the file has 2 dimensions for "bad"/, 3);
});

test('a word2vec text header count that disagrees with the rows is an error', async () => {
  const dir = tmpDir();
  await formatError(loadVectors(put(dir, 'few.txt', '5 2\na 1 2\nb 3 4\n')), /header says 5 rows but the file has 2/, 1);
  await formatError(scanVocabulary(put(dir, 'many.txt', '1 2\na 1 2\nb 3 4\n'), () => undefined), /header says 1 rows but the file has 2/, 1);
});

test('a binary header that lies about the count is an error either way', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'v.bin');
  await writeVectorFile(file, ['a', 'b', 'c'], randomVectors(3, 4), 'word2vec-binary');
  const bytes = fs.readFileSync(file);
  const body = bytes.subarray(bytes.indexOf(0x0a) + 1);
  const more = put(dir, 'more.bin', Buffer.concat([Buffer.from('5 4\n'), body]));
  await formatError(loadVectors(more), /ends inside record 4 of the 5 the header announces/);
  const fewer = put(dir, 'fewer.bin', Buffer.concat([Buffer.from('2 4\n'), body]));
  await formatError(loadVectors(fewer), /header announces 2 records but the file goes on/);
  const cut = put(dir, 'cut.bin', bytes.subarray(0, bytes.length - 7));
  await formatError(lookupVectors(cut, ['zzz']), /ends inside record 3 of the 3 .* for "c" \(record 3 after the header\)/);
});

test('NaN and Inf values are refused, naming the word', async () => {
  const dir = tmpDir();
  await formatError(loadVectors(put(dir, 'nan.txt', 'a 1 2\nb nan 2\n')), /Value 1 is NaN \(not a finite number\) for "b"/, 2);
  await formatError(lookupVectors(put(dir, 'inf.txt', 'a 1 -inf\n'), ['a']), /Value 2 is -Infinity/, 1);
  await formatError(loadVectors(put(dir, 'big.txt', 'a 1 1e39\n')), /Value 2 is Infinity/, 1);
  const bin = path.join(dir, 'nan.bin');
  const m = randomVectors(2, 3);
  m.data[4] = NaN;
  await writeVectorFile(bin, ['ok', 'bad'], m, 'word2vec-binary');
  await formatError(loadVectors(bin), /Value 2 is NaN .* for "bad" \(record 2 after the header\)/);
  await formatError(lookupVectors(bin, ['bad']), /for "bad"/);
});

test('a token that is not a number names the line', async () => {
  const dir = tmpDir();
  await formatError(loadVectors(put(dir, 'tok.txt', 'a 1 2\nb 1 two\n')), /Value 2 is "two", not a number for "b"/, 2);
});

test('a .gz that is not gzip: plain vectors are read with a warning, anything else is an error', async () => {
  const dir = tmpDir();
  const plain = put(dir, 'plain.gz', 'a 1 2\nb 3 4\n');
  const loaded = await loadVectors(plain);
  assert.deepEqual(loaded.words, ['a', 'b']);
  assert.match(loaded.warnings[0], /named \.gz but is not gzip-compressed/);
  await formatError(loadVectors(put(dir, 'junk.gz', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0x0a]))), /named \.gz but is not gzip data, and not a vector file/);
});

test('corrupt or cut-short gzip data is an error', async () => {
  const dir = tmpDir();
  const gz = gzipSync(Buffer.from('a 1 2\n'.repeat(20_000)));
  await formatError(loadVectors(put(dir, 'cut.gz', gz.subarray(0, gz.length - 100))), /gzip data is corrupt or cut short/);
  const broken = Buffer.from(gz);
  for (let i = 200; i < 400; i++) broken[i] ^= 0x5a;
  await formatError(loadVectors(put(dir, 'broken.gz', broken)), /gzip data is corrupt|Not a vector file/);
});

test('files that are not vectors at all are refused at line 1', async () => {
  const dir = tmpDir();
  const cases: [string, string | Buffer, RegExp][] = [
    ['empty.txt', '', /the file is empty/],
    ['words.words', '[fruit]\napple\npear\n', /neither a `count dims` header nor `word v1 v2 …`/],
    ['data.json', '{"a": [1, 2]}\n', /neither a `count dims` header/],
    ['elf.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x0a, 0x00]), /binary data/],
    ['zero.txt', '10 0\n', /0 dimensions/],
  ];
  for (const [name, content, pattern] of cases) await formatError(loadVectors(put(dir, name, content)), pattern, 1);
  await formatError(lookupVectors(path.join(dir, 'absent.txt'), ['a']), /Vector file not found/);
});

test('a word2vec binary file whose header has the wrong dimension count is caught', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'v.bin');
  await writeVectorFile(file, ['a', 'b', 'c'], randomVectors(3, 4), 'word2vec-binary');
  const bytes = fs.readFileSync(file);
  const wrong = put(dir, 'wrong.bin', Buffer.concat([Buffer.from('3 3\n'), bytes.subarray(bytes.indexOf(0x0a) + 1)]));
  await assert.rejects(loadVectors(wrong), MechLensError);
});

test('property: arbitrary bytes either load or fail with a MechLensError', async () => {
  const dir = tmpDir();
  const pieces = ['3 2\n', '2 2\n', 'a 1 2\n', 'b 0.5 -1e2\n', 'c 1\n', '\n', 'nan', ' ', '\r\n', 'é 1 2\n', '\u0000\u0001', 'w \u0000\u0000\u0080\u003f\u0000\u0000\u0000\u0040\n'];
  let i = 0;
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((a) => Buffer.from(a.join(''), 'latin1'))), fc.boolean(), async (bytes, gz) => {
      const file = put(dir, `f${i++}`, gz ? gzipSync(Buffer.from(bytes)) : Buffer.from(bytes));
      try {
        const loaded = await loadVectors(file);
        assert.equal(loaded.vectors.data.length, loaded.words.length * loaded.dims);
        for (const v of loaded.vectors.data) assert.ok(Number.isFinite(v));
      } catch (e) {
        if (!(e instanceof MechLensError)) throw e;
      }
      try {
        await lookupVectors(file, ['a', 'B']);
      } catch (e) {
        if (!(e instanceof MechLensError)) throw e;
      }
    }),
    { numRuns: 300 },
  );
});
