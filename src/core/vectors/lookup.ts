// Looks up a few words in a vector file without loading it: rows are compared by their word bytes
// and only matching rows are parsed. Exact match first, then the lower-cased word.
import { basename } from 'node:path';
import type { RunControl } from '../run-control';
import { detectVectorFile, describeFormat } from './detect';
import { readRowValues } from './row-values';
import { forEachRow, type RowVisitor } from './rows';
import type { VectorLookup } from './types';
import { LOWERCASE_FALLBACK_NOTE } from '../../protocol/result';

interface Wanted {
  /** Requested words (by index) that are exactly this key. */
  exact: number[];
  /** Requested words whose lower-case form is this key (and differs from the word). */
  lower: number[];
}

/** The key of a word: its UTF-8 bytes as a latin1 string, so file bytes compare without decoding. */
function keyOf(word: string): string {
  return Buffer.from(word, 'utf8').toString('latin1');
}

export async function lookupVectors(path: string, words: string[], control?: RunControl): Promise<VectorLookup> {
  const info = await detectVectorFile(path);
  const dims = info.dims;
  const out = new Float32Array(words.length * dims);
  const exactFound = new Array<boolean>(words.length).fill(false);
  const lowerFound = new Array<boolean>(words.length).fill(false);

  const wanted = new Map<string, Wanted>();
  const wantedLength = new Set<number>();
  const want = (word: string, kind: keyof Wanted, index: number) => {
    const key = keyOf(word);
    let entry = wanted.get(key);
    if (!entry) wanted.set(key, (entry = { exact: [], lower: [] }));
    entry[kind].push(index);
    wantedLength.add(key.length);
  };
  words.forEach((word, i) => {
    want(word, 'exact', i);
    const lower = word.toLowerCase();
    if (lower !== word) want(lower, 'lower', i);
  });
  const lengthFlags = new Uint8Array(Math.max(0, ...wantedLength) + 1);
  for (const n of wantedLength) lengthFlags[n] = 1;

  // Stop only when every word has its exact row: a lower-case match found early can still be
  // replaced by an exact match further down the file.
  let pendingExact = words.length;
  const scratch = new Float32Array(dims);
  const visit: RowVisitor = (buf, wordStart, wordEnd, valuesStart, valuesEnd, row, line) => {
    const length = wordEnd - wordStart;
    if (length >= lengthFlags.length || lengthFlags[length] === 0) return;
    const entry = wanted.get(buf.toString('latin1', wordStart, wordEnd));
    if (!entry) return;
    let parsed = false;
    const parse = () => {
      if (!parsed) readRowValues(info, buf, valuesStart, valuesEnd, scratch, 0, row, line, () => buf.toString('utf8', wordStart, wordEnd));
      parsed = true;
    };
    for (const i of entry.exact) {
      if (exactFound[i]) continue;
      parse();
      out.set(scratch, i * dims);
      exactFound[i] = true;
      lowerFound[i] = false;
      pendingExact--;
    }
    for (const i of entry.lower) {
      if (exactFound[i] || lowerFound[i]) continue;
      parse();
      out.set(scratch, i * dims);
      lowerFound[i] = true;
    }
    if (pendingExact === 0) return false;
  };
  const walk = words.length > 0 ? await forEachRow(info, control, `Looking up ${words.length} words in ${describeFormat(info.format)}`, visit) : { rows: 0, complete: false };

  const lowercased: string[] = [];
  const missing: string[] = [];
  const warnings = [...info.warnings];
  words.forEach((word, i) => {
    if (lowerFound[i]) lowercased.push(word);
    else if (!exactFound[i]) missing.push(word);
  });
  // One line per file, naming it: with A and B both lower-case, two unnamed lines per word looked like a repeat.
  if (lowercased.length) {
    const shown = lowercased.slice(0, 8).map((w) => `"${w}" as "${w.toLowerCase()}"`).join(', ');
    const more = lowercased.length > 8 ? ` and ${lowercased.length - 8} more` : '';
    warnings.push(`${basename(path)}: ${lowercased.length === 1 ? 'a word is' : `${lowercased.length} words are`} not in the vectors as written; read ${shown}${more} ${LOWERCASE_FALLBACK_NOTE}`);
  }
  return {
    format: info.format,
    gzip: info.gzip,
    dims,
    vocabSize: info.headerCount ?? (walk.complete ? walk.rows : null),
    vectors: { rows: words.length, cols: dims, data: out },
    found: words.map((_, i) => exactFound[i] || lowerFound[i]),
    lowercased,
    missing,
    warnings,
  };
}
