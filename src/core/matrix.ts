// Dense row-major matrices as typed arrays with explicit shape: the currency of core/.
// Core functions never mutate a Matrix they are given.
import type { MatrixJson } from '../protocol/result';

export interface Matrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  readonly rows: number;
  readonly cols: number;
  readonly data: T;
}

export function matrix<T extends Float32Array | Float64Array>(rows: number, cols: number, data: T): Matrix<T> {
  if (data.length !== rows * cols) {
    throw new RangeError(`matrix: data has ${data.length} values, expected ${rows} × ${cols} = ${rows * cols}`);
  }
  return { rows, cols, data };
}

/** Row i as a view (no copy). */
export function row<T extends Float32Array | Float64Array>(m: Matrix<T>, i: number): T {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols) as T;
}

export function toJson(m: Matrix, digits?: number): MatrixJson {
  const out: number[][] = new Array(m.rows);
  const round = digits === undefined ? (x: number) => x : (x: number) => Number(x.toPrecision(digits));
  for (let i = 0; i < m.rows; i++) {
    const r = new Array<number>(m.cols);
    for (let j = 0; j < m.cols; j++) r[j] = round(m.data[i * m.cols + j]);
    out[i] = r;
  }
  return out;
}

/**
 * A matrix that JSON writes as its rows, the text of `JSON.stringify(toJson(m))`, without the rows
 * being built first: streamJson (core/io/json-stream.ts) writes it from the typed array a slice of
 * rows at a time, and JSON.stringify gets the same text through toJSON. For results written once
 * (embed2d's 50,257 × 2 coordinates: toJson alone was 11 ms of a cold CLI run).
 */
export class JsonRows {
  constructor(readonly matrix: Matrix) {}
  toJSON(): MatrixJson {
    return toJson(this.matrix);
  }
}

export function fromJson(json: MatrixJson): Matrix<Float64Array> {
  const rows = json.length;
  const cols = rows ? json[0].length : 0;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    if (json[i].length !== cols) throw new RangeError(`matrix row ${i} has ${json[i].length} values, expected ${cols}`);
    data.set(json[i], i * cols);
  }
  return { rows, cols, data };
}
