import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRandom } from '../../src/core/random';
import type { Matrix } from '../../src/core/matrix';

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-vec-'));
}

export function randomVectors(rows: number, dims: number, seed = 1): Matrix<Float32Array> {
  const r = createRandom(seed);
  const data = new Float32Array(rows * dims);
  for (let i = 0; i < data.length; i++) data[i] = r.gaussian() * 0.5;
  return { rows, cols: dims, data };
}

export function rowOf(m: Matrix<Float32Array>, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** Writes a file and returns its path. */
export function put(dir: string, name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}
