// Turns one row's value bytes into float32s, with the checks that keep a wrong number from
// passing silently: the value count must equal the dimension, and NaN/Infinity are refused.
import os from 'node:os';
import { firstNonFinite, parseRowValues } from './parse-values';
import { rowError } from './rows';
import type { VectorFileInfo } from './types';

const LITTLE_ENDIAN = os.endianness() === 'LE';

/** Writes the row's dims values into out[offset, offset + dims), or throws naming the row and word. */
export function readRowValues(info: VectorFileInfo, buf: Buffer, valuesStart: number, valuesEnd: number, out: Float32Array, offset: number, row: number, line: number, word: () => string): void {
  const dims = info.dims;
  if (info.format === 'word2vec-binary') {
    if (LITTLE_ENDIAN) {
      new Uint8Array(out.buffer, out.byteOffset + offset * 4, dims * 4).set(buf.subarray(valuesStart, valuesEnd));
    } else {
      for (let k = 0; k < dims; k++) out[offset + k] = buf.readFloatLE(valuesStart + 4 * k);
    }
  } else {
    const got = parseRowValues(buf, valuesStart, valuesEnd, out, offset, dims);
    if (typeof got !== 'number') {
      throw rowError(info, row, line, word(), `Value ${got.index + 1} is "${got.token.slice(0, 30)}", not a number`, 'Fix or remove that line.');
    }
    if (got !== dims) {
      throw rowError(info, row, line, word(), `The row has ${got} values but the file has ${dims} dimensions`, got < dims ? 'The line is cut short: fix or remove it, or get the file again.' : 'Fix or remove that line (a word containing spaces also causes this).');
    }
  }
  const bad = firstNonFinite(out, offset, offset + dims);
  if (bad >= 0) {
    throw rowError(info, row, line, word(), `Value ${bad - offset + 1} is ${out[bad]} (not a finite number)`, 'Remove or repair that row: NaN or infinite values would make every similarity with this word meaningless.');
  }
}
