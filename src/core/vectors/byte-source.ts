// Sequential byte reading of a plain or gzip-compressed file, in large chunks, so the readers can
// scan bytes without building line strings. Progress is measured on the file's own (compressed) bytes.
import fs from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MechLensError } from '../errors';

export interface ByteSource {
  readonly path: string;
  /** Reads up to `length` bytes into `into` at `offset`; 0 means end of data. */
  read(into: Buffer, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
  /** Bytes of the file itself consumed so far (compressed bytes for gzip). */
  readonly fileBytesRead: number;
  readonly fileSize: number;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export async function isGzipFile(filePath: string): Promise<boolean> {
  const fd = openOrThrow(filePath);
  try {
    const head = Buffer.alloc(2);
    const bytesRead = fs.readSync(fd, head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
  } finally {
    fs.closeSync(fd);
  }
}

export async function openByteSource(filePath: string, gzip: boolean): Promise<ByteSource> {
  return gzip ? openGzip(filePath) : openPlain(filePath);
}

// File system calls here are synchronous on purpose: on a busy machine every async call waits for a
// thread-pool thread to be scheduled, which made a 240 MB load several times slower in wall time.
// ByteWindow.refill yields to the event loop between chunks, so cancel and progress still get through.
function openOrThrow(filePath: string): number {
  try {
    return fs.openSync(filePath, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MechLensError(code === 'ENOENT' ? 'not-found' : 'format', code === 'ENOENT' ? 'Vector file not found' : `Cannot open the vector file (${code ?? String(err)})`, {
      input: filePath,
      fix: code === 'ENOENT' ? 'Check the path, or use a catalog name such as glove-wiki-gigaword-50.' : 'Check that it is a readable file.',
      cause: err,
    });
  }
}

async function openPlain(filePath: string): Promise<ByteSource> {
  const fd = openOrThrow(filePath);
  const fileSize = fs.fstatSync(fd).size;
  let position = 0;
  return {
    path: filePath,
    get fileBytesRead() {
      return position;
    },
    fileSize,
    async read(into, offset, length) {
      const bytesRead = fs.readSync(fd, into, offset, length, position);
      position += bytesRead;
      return bytesRead;
    },
    close: async () => fs.closeSync(fd),
  };
}

async function openGzip(filePath: string): Promise<ByteSource> {
  fs.closeSync(openOrThrow(filePath));
  const fileSize = fs.statSync(filePath).size;
  const raw = fs.createReadStream(filePath, { highWaterMark: 1 << 20 });
  let fileBytesRead = 0;
  raw.on('data', (chunk) => (fileBytesRead += chunk.length));
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  pipeline(raw, gunzip, () => undefined);
  const chunks = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let pending: Buffer | undefined;
  let done = false;
  return {
    path: filePath,
    get fileBytesRead() {
      return fileBytesRead;
    },
    fileSize,
    async read(into, offset, length) {
      if (!pending || pending.length === 0) {
        if (done) return 0;
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch (err) {
          throw new MechLensError('format', `The gzip data is corrupt or cut short (${(err as Error).message})`, {
            input: filePath,
            fix: 'Download or copy the file again; `gzip -t FILE` checks it.',
            cause: err,
          });
        }
        if (next.done) {
          done = true;
          return 0;
        }
        pending = next.value;
      }
      const n = Math.min(length, pending.length);
      pending.copy(into, offset, 0, n);
      pending = pending.subarray(n);
      return n;
    },
    async close() {
      raw.destroy();
      gunzip.destroy();
    },
  };
}
