// Every file MechLens writes goes through here: bytes go to a temporary file in the same folder,
// which is flushed and then renamed onto the target. A rename within one folder is atomic, so a
// kill, a crash or a full disk in the middle of a write leaves the previous file whole (or no
// file), never a truncated one; readers never see a half-written result, report or record.
import fs from 'node:fs';
import path from 'node:path';

/** A file being written: nothing appears under `target` until `commit()`. */
export interface AtomicFile {
  readonly target: string;
  readonly tempPath: string;
  write(chunk: string | Uint8Array): void;
  /** Flushes to disk and renames the temporary file onto the target. */
  commit(): void;
  /** Drops the temporary file; the target keeps its previous contents. */
  abort(): void;
}

let tempCount = 0;

/**
 * The temporary name beside `target`: hidden, and unique per process and call (the pid and a
 * counter; the random part keeps apart two processes that reuse a pid across containers). It needs
 * no cryptographic randomness: the file is created with O_EXCL, so a name that exists is never
 * followed or overwritten, and node:crypto would add a dozen modules to every CLI start.
 */
export function atomicTempPath(target: string): string {
  const unique = `${process.pid}.${(++tempCount).toString(36)}${Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0')}`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${unique}.tmp`);
}

/** Opens a temporary file beside `target` (creating the folder). Call `commit()` or `abort()`. */
export function openAtomicFile(target: string, mode = 0o666): AtomicFile {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tempPath = atomicTempPath(target);
  const fd = fs.openSync(tempPath, 'wx', mode);
  let open = true;
  const close = () => {
    if (open) {
      open = false;
      fs.closeSync(fd);
    }
  };
  const abort = () => {
    try {
      close();
    } finally {
      fs.rmSync(tempPath, { force: true });
    }
  };
  return {
    target,
    tempPath,
    write(chunk) {
      if (typeof chunk === 'string') fs.writeSync(fd, chunk, null, 'utf8');
      else {
        let offset = 0;
        while (offset < chunk.length) offset += fs.writeSync(fd, chunk, offset, chunk.length - offset);
      }
    },
    commit() {
      try {
        fs.fsyncSync(fd);
        close();
        fs.renameSync(tempPath, target);
      } catch (err) {
        abort();
        throw err;
      }
    },
    abort,
  };
}

/** `fs.writeFileSync`, but atomic: the target holds either its old contents or all of `data`. */
export function writeFileAtomicSync(target: string, data: string | Uint8Array, mode?: number): void {
  const file = openAtomicFile(target, mode);
  try {
    file.write(data);
  } catch (err) {
    file.abort();
    throw err;
  }
  file.commit();
}

/** Async form of `writeFileAtomicSync`, for the extension host where a long write should not block. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const tempPath = atomicTempPath(target);
  const handle = await fs.promises.open(tempPath, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    await fs.promises.rename(tempPath, target);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(tempPath, { force: true });
    throw err;
  }
}
