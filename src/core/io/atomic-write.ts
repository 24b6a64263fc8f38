// Every file MechLens writes goes through here: bytes go to a temporary file in the same folder,
// which is flushed and then renamed onto the target. A rename within one folder is atomic, so a
// kill, a crash or a full disk in the middle of a write leaves the previous file whole (or no
// file), never a truncated one; readers never see a half-written result, report or record.
//
// A process that has to exit at once (the CLI's second Ctrl-C, or a cancelled run whose worker
// thread is inside onnxruntime) runs no finally blocks, so every temporary file that is open, in
// this thread or any worker thread, is listed here and removeOpenTempFilesSync() deletes them on
// the way out: nothing is left beside the output or in the cache.
import fs from 'node:fs';
import path from 'node:path';

/** Temporary files open in this thread, and those other threads of this process say they have open. */
const openTempFiles = new Set<string>();
type TempFileNote = { tempPath: string; open: boolean };
/** One channel per thread; a message reaches every other thread's channel of the same name. */
let tempFileChannel: import('node:worker_threads').BroadcastChannel | null = null;

function noteTempFile(tempPath: string, open: boolean): void {
  if (open) openTempFiles.add(tempPath); else openTempFiles.delete(tempPath);
  if (!tempFileChannel) {
    // worker_threads is loaded at the first atomic write, not at every CLI start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { BroadcastChannel } = require('node:worker_threads') as typeof import('node:worker_threads');
    tempFileChannel = new BroadcastChannel('mechlens.atomic-write.temp-files');
    tempFileChannel.onmessage = (event) => {
      const note = (event as { data: TempFileNote }).data;
      if (note.open) openTempFiles.add(note.tempPath); else openTempFiles.delete(note.tempPath);
    };
    tempFileChannel.unref(); // never keeps a thread or the process alive
  }
  tempFileChannel.postMessage({ tempPath, open } satisfies TempFileNote);
}

/** The temporary files open now in this process (this thread's and those announced by others). */
export function openTempFilePaths(): string[] {
  return [...openTempFiles];
}

/**
 * Deletes every temporary file open now, for a process about to exit without unwinding (see the
 * top of this file). The targets keep their previous contents, since nothing was renamed.
 */
export function removeOpenTempFilesSync(): void {
  for (const tempPath of openTempFiles) {
    try { fs.rmSync(tempPath, { force: true }); } catch { /* exiting anyway: one file that cannot go must not keep the rest */ }
  }
  openTempFiles.clear();
}

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
  noteTempFile(tempPath, true);
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
      noteTempFile(tempPath, false);
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
        noteTempFile(tempPath, false);
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
  noteTempFile(tempPath, true);
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    await fs.promises.rename(tempPath, target);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(tempPath, { force: true });
    throw err;
  } finally {
    noteTempFile(tempPath, false);
  }
}
