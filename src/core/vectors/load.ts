// Loads a whole vector file into one Float32Array (rows in file order).
import fs from 'node:fs';
import { MechLensError } from '../errors';
import { assertFits, matrixBytes } from '../memory';
import type { RunControl } from '../run-control';
import { detectVectorFile, describeFormat } from './detect';
import { readRowValues } from './row-values';
import { forEachRow } from './rows';
import type { LoadedVectors, VectorFileInfo } from './types';

/** `maxRows`: keep only the first rows of the file (in a frequency-ordered file, the most frequent words). */
export async function loadVectors(path: string, control?: RunControl, options: { maxRows?: number } = {}): Promise<LoadedVectors> {
  const info = await detectVectorFile(path);
  const dims = info.dims;
  const maxRows = options.maxRows ?? Infinity;
  // A header may lie about the count: never reserve more rows than the file can hold, so a lying
  // header ends in the reader's "header announces N" message, not in a memory refusal.
  let capacity = Math.max(1, Math.min(maxRows, info.headerCount != null ? Math.min(info.headerCount, rowsTheFileCanHold(info)) : estimateRows(info)));
  let data = allocate(info, capacity);
  const words: string[] = [];
  const firstRow = new Map<string, number>();
  let duplicates = 0;
  let firstDuplicate = '';

  await forEachRow(info, control, `Loading ${describeFormat(info.format)}`, (buf, wordStart, wordEnd, valuesStart, valuesEnd, row, line) => {
    const word = buf.toString('utf8', wordStart, wordEnd);
    if (firstRow.has(word)) {
      // Same rule as gensim: the first row of a repeated word wins.
      if (duplicates++ === 0) firstDuplicate = `"${word}" (${line > 0 ? `line ${line}` : `record ${row + 1}`})`;
      return;
    }
    const kept = words.length;
    if (kept === capacity) {
      capacity *= 2;
      const bigger = allocate(info, capacity);
      bigger.set(data);
      data = bigger;
    }
    readRowValues(info, buf, valuesStart, valuesEnd, data, kept * dims, row, line, () => word);
    firstRow.set(word, kept);
    words.push(word);
    if (words.length >= maxRows) return false;
  });

  const rows = words.length;
  const vectors = capacity === rows ? data : data.slice(0, rows * dims);
  const warnings = [...info.warnings];
  if (duplicates) warnings.push(`${duplicates} repeated word${duplicates > 1 ? 's' : ''} kept only their first row, starting with ${firstDuplicate}.`);
  return { format: info.format, gzip: info.gzip, dims, words, vectors: { rows, cols: dims, data: vectors }, warnings };
}

/** A first guess at the row count of a header-less file, from its size; the buffer grows if short. */
function estimateRows(info: VectorFileInfo): number {
  const { size } = fs.statSync(info.path);
  const textBytes = info.gzip ? size * 3 : size;
  return Math.max(1024, Math.ceil(textBytes / (info.dims * 9 + 8)));
}

function rowsTheFileCanHold(info: VectorFileInfo): number {
  if (info.gzip) return estimateRows(info);
  const { size } = fs.statSync(info.path);
  // Smallest record: a one-byte word, a separator, then 4 bytes (binary) or 2 ("0 ") per value.
  const minRecord = 2 + info.dims * (info.format === 'word2vec-binary' ? 4 : 2);
  return Math.max(1, Math.ceil(size / minRecord));
}

function allocate(info: VectorFileInfo, rows: number): Float32Array {
  // Growing copies the old buffer, so both are alive for a moment.
  assertFits(matrixBytes(rows, info.dims, 4) * 1.5, `loading all ${rows.toLocaleString('en-US')} × ${info.dims} vectors of the file`, info.path);
  try {
    return new Float32Array(rows * info.dims);
  } catch (err) {
    throw new MechLensError('memory', `Not enough memory for ${rows} × ${info.dims} vectors (${((rows * info.dims * 4) / 2 ** 30).toFixed(1)} GiB)`, {
      input: info.path,
      fix: 'Look up only the words you need (lookupVectors) instead of loading the whole file.',
      cause: err,
    });
  }
}
