// Writes vectors in any of the formats the readers take: for exporting, for the demo's generated
// vectors, and for tests and benchmarks that need real files.
import fs from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { MechLensError } from '../errors';
import type { Matrix } from '../matrix';
import type { VectorFormat } from './types';

export interface WriteVectorOptions {
  gzip?: boolean;
  /** Text formats: fixed decimals (GloVe files use about 6). Default: 9 significant digits, which round-trips float32 exactly. */
  decimals?: number;
  /** word2vec binary: end each record with "\n" as GoogleNews does (default true). */
  binaryNewline?: boolean;
}

export async function writeVectorFile(filePath: string, words: readonly string[], vectors: Matrix<Float32Array>, format: VectorFormat, opts: WriteVectorOptions = {}): Promise<void> {
  if (words.length !== vectors.rows) throw new RangeError(`writeVectorFile: ${words.length} words for ${vectors.rows} rows`);
  for (const w of words) {
    if (!w || /[ \t\n\r\v\f]/.test(w)) throw new MechLensError('bad-argument', `Cannot write the word "${w}": vector files need non-empty words without spaces`, { input: filePath });
  }
  const tmp = `${filePath}.tmp-${process.pid}`;
  const file = fs.createWriteStream(tmp);
  const gzip = opts.gzip ? createGzip({ level: 6 }) : undefined;
  if (gzip) gzip.pipe(file);
  const sink: Writable = gzip ?? file;
  const dims = vectors.cols;
  // String(-0) is "0": write the sign so text files round-trip float32 exactly, as binary ones do.
  const formatValue = (v: number) => (Object.is(v, -0) ? '-0' : opts.decimals === undefined ? String(Number(v.toPrecision(9))) : v.toFixed(opts.decimals));
  const write = async (chunk: string | Buffer) => {
    if (!sink.write(chunk)) await once(sink, 'drain');
  };
  try {
    if (format !== 'glove-text') await write(`${words.length} ${dims}\n`);
    let batch: Buffer[] = [];
    let batchBytes = 0;
    for (let i = 0; i < words.length; i++) {
      const row = vectors.data.subarray(i * dims, (i + 1) * dims);
      if (format === 'word2vec-binary') {
        const bytes = Buffer.alloc(dims * 4 + (opts.binaryNewline === false ? 0 : 1), 0x0a);
        for (let k = 0; k < dims; k++) bytes.writeFloatLE(row[k], 4 * k);
        batch.push(Buffer.from(words[i] + ' ', 'utf8'), bytes);
        batchBytes += bytes.length + words[i].length;
      } else {
        let line = words[i];
        for (let k = 0; k < dims; k++) line += ' ' + formatValue(row[k]);
        const encoded = Buffer.from(line + '\n', 'utf8');
        batch.push(encoded);
        batchBytes += encoded.length;
      }
      if (batchBytes > 1 << 20) {
        await write(Buffer.concat(batch));
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length) await write(Buffer.concat(batch));
    sink.end();
    await once(file, 'close');
    await fs.promises.rename(tmp, filePath);
  } catch (err) {
    file.destroy();
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}
