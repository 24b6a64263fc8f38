import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSentenceSet } from '../../src/core/text/sentence-set';
import { MechLensError } from '../../src/core/errors';

function parseError(text: string): MechLensError {
  try {
    parseSentenceSet(text, 's.sentences');
  } catch (e) {
    assert.ok(e instanceof MechLensError, `expected MechLensError, got ${String(e)}`);
    assert.equal(e.code, 'parse');
    return e;
  }
  assert.fail('expected a parse error');
}

test('parses targets, categories and sentences without a marker', () => {
  const s = parseSentenceSet('\ufeff# c\r\n[him]\r\nI saw {him} at the market.\r\n[her]\r\n  I saw {her}.  \r\nNo marker here\r\n');
  assert.deepEqual(s.categories, ['him', 'her']);
  assert.deepEqual(s.sentences, [
    { text: 'I saw him at the market.', target: 'him', targetStart: 6, category: 'him', line: 3 },
    { text: 'I saw her.', target: 'her', targetStart: 6, category: 'her', line: 5 },
    { text: 'No marker here', target: null, targetStart: null, category: 'her', line: 6 },
  ]);
  const first = s.sentences[0];
  assert.equal(first.text.slice(first.targetStart!, first.targetStart! + first.target!.length), 'him');
});

test('non-ASCII targets keep their offsets', () => {
  const s = parseSentenceSet('Ich sah {Jürgen} gestern 😀.\n😀 {ü}');
  assert.equal(s.sentences[0].text, 'Ich sah Jürgen gestern 😀.');
  assert.equal(s.sentences[0].targetStart, 8);
  assert.equal(s.sentences[1].text.slice(s.sentences[1].targetStart!), 'ü');
});

test('marker errors name the line', () => {
  assert.equal(parseError('[a]\nfine {x}\ntwo {x} and {y}\n').line, 3);
  assert.match(parseError('[a]\ntwo {x} and {y}\n').message, /More than one \{target\} marker/);
  assert.match(parseError('a {b\n').message, /Unbalanced "\{"/);
  assert.match(parseError('a b}\n').message, /Unbalanced "\}"/);
  assert.match(parseError('a }b{\n').message, /Unbalanced "\}"/);
  assert.match(parseError('a {{b}}\n').message, /Nested/);
  assert.match(parseError('a {} b\n').message, /Empty target/);
  assert.match(parseError('a { b } c\n').message, /spaces inside the braces/);
});

test('empty category, empty file, control characters', () => {
  assert.equal(parseError('[a]\n[b]\nx y\n').line, 1);
  assert.match(parseError('# nothing\n').message, /no sentences/);
  assert.match(parseError('').message, /no sentences/);
  assert.equal(parseError('ok\nbad \u0001 line\n').line, 2);
});

test('a repeated sentence in one category is kept and warned about', () => {
  const s = parseSentenceSet('[a]\nI saw {him}.\nI saw {him}.\n');
  assert.equal(s.sentences.length, 2);
  assert.match(s.warnings[0], /:3: the same sentence as line 2/);
});

test('property: any text gives a valid set or a parse error', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('[a]', '[b]', 'x {y} z', '{', '}', 'a b', '#', '', '{q}', '{}', '\u0000', 'é {ü}'), { maxLength: 20 }).map((a) => a.join('\r\n')), (text) => {
      try {
        const s = parseSentenceSet(text);
        for (const sent of s.sentences) {
          assert.ok(!sent.text.includes('{') && !sent.text.includes('}'));
          if (sent.target !== null) assert.equal(sent.text.slice(sent.targetStart!, sent.targetStart! + sent.target.length), sent.target);
        }
      } catch (e) {
        if (!(e instanceof MechLensError) || e.code !== 'parse') throw e;
      }
    }),
    { numRuns: 500 },
  );
});

test('readSentenceSetFile reads UTF-8 files and names the line of invalid bytes', async () => {
  const { readSentenceSetFile } = await import('../../src/core/text/sentence-set');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  const good = path.join(dir, 'a.sentences');
  fs.writeFileSync(good, '\ufeff[him]\r\nI saw {him}.\r\n');
  assert.equal(readSentenceSetFile(good).sentences[0].target, 'him');
  const bad = path.join(dir, 'b.sentences');
  fs.writeFileSync(bad, Buffer.concat([Buffer.from('[a]\nok {x}\n'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from(' {y}\n')]));
  assert.throws(() => readSentenceSetFile(bad), (e: unknown) => e instanceof MechLensError && e.line === 3 && /not valid UTF-8/.test(e.message));
});
