// Loads a whole vector file into one Float32Array (rows in file order).
import fs from 'node:fs';
import { MechLensError } from '../errors';
import type { RunControl } from '../run-control';
import { detectVectorFile, describeFormat } from './detect';
import { readRowValues } from './row-values';
import { forEachRow } from './rows';
import type { LoadedVectors, VectorFileInfo } from './types';

export async function loadVectors(path: string, control?: RunControl): Promise<LoadedVectors> {
  const info = await detectVectorFile(path);
  const dims = info.dims;
  let capacity = info.headerCount ?? estimateRows(info);
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

function allocate(info: VectorFileInfo, rows: number): Float32Array {
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
