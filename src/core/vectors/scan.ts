// Walks the vocabulary in file order without reading any vector values (job 3 needs file order:
// "the first K words of length L").
import type { RunControl } from '../run-control';
import { detectVectorFile, describeFormat } from './detect';
import { forEachRow } from './rows';
import type { VectorFormat } from './types';

export interface VocabularyScan {
  format: VectorFormat;
  gzip: boolean;
  dims: number;
  /** Rows visited. */
  rows: number;
  /** False when the visitor stopped the scan early. */
  complete: boolean;
  warnings: string[];
}

/** Calls visit(word, index) for each row in file order; returning false stops the scan. */
export async function scanVocabulary(path: string, visit: (word: string, index: number) => boolean | void, control?: RunControl): Promise<VocabularyScan> {
  const info = await detectVectorFile(path);
  const walk = await forEachRow(info, control, `Reading the vocabulary of ${describeFormat(info.format)}`, (buf, wordStart, wordEnd, _vs, _ve, row) =>
    visit(buf.toString('utf8', wordStart, wordEnd), row),
  );
  return { format: info.format, gzip: info.gzip, dims: info.dims, rows: walk.rows, complete: walk.complete, warnings: info.warnings };
}
