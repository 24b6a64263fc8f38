// A folder of finished Results keyed by a hash of everything that produced them (see
// key.ts), so running the same model job again is instant. One file per entry:
// written to a unique temporary name and renamed into place, so a reader never sees half a file
// and two writers of one key simply leave one of two equal files. The folder is capped in bytes;
// the least recently used entries go first (a hit touches the file's mtime). An entry that does
// not parse, or whose key does not match, is removed and counts as a miss.
import { writeFileAtomic } from '../io/atomic-write';
import { streamJson } from '../io/json-stream';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseJsonBytes } from '../io/json-read';

/** 512 MiB: a few hundred typical model results, small beside the models themselves. */
const DEFAULT_RESULT_CACHE_BYTES = 512 * 1024 * 1024;

const ENTRY = /^[0-9a-f]{64}\.json$/;
const tooLarge = new Error('result too large for the cache');
const TEMP = /\.tmp$/;
/** A temporary file older than this is a leftover of a crashed writer. */
const STALE_TEMP_MS = 10 * 60 * 1000;

export interface CachedEntry<T> {
  value: T;
  /** ISO time the entry was written. */
  storedAt: string;
}

interface StoredEntry {
  key: string;
  storedAt: string;
  value: unknown;
}

export interface ResultCacheUsage {
  entries: number;
  bytes: number;
}

export class ResultCache {
  constructor(readonly dir: string, readonly maxBytes: number = DEFAULT_RESULT_CACHE_BYTES) {}

  private file(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`result cache keys are sha256 hex digests, not "${key.slice(0, 80)}"`);
    return path.join(this.dir, `${key}.json`);
  }

  /** The entry for `key`, or undefined on a miss; a broken entry is deleted. */
  async get<T>(key: string): Promise<CachedEntry<T> | undefined> {
    const file = this.file(key);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch {
      return undefined;
    }
    let stored: StoredEntry;
    try {
      // From bytes: a large entry's text would be longer than a string can be (core/io/json-read.ts).
      stored = parseJsonBytes(bytes) as StoredEntry;
      if (stored === null || typeof stored !== 'object' || stored.key !== key || typeof stored.storedAt !== 'string' || !('value' in stored)) {
        throw new Error('not a result cache entry');
      }
    } catch {
      await fs.rm(file, { force: true });
      return undefined;
    }
    // Recently used entries survive eviction longest.
    const now = new Date();
    await fs.utimes(file, now, now).catch(() => undefined);
    return { value: stored.value as T, storedAt: stored.storedAt };
  }

  /** Stores `value` under `key` atomically, then trims the folder to its cap. */
  async set(key: string, value: unknown): Promise<void> {
    const file = this.file(key);
    // Serialized in chunks, and given up as soon as it passes the cap: an entry bigger than the whole
    // cap would evict everything and then itself, and one past V8's string limit cannot be one string.
    const parts: Buffer[] = [];
    let bytes = 0;
    try {
      streamJson({ key, storedAt: new Date().toISOString(), value } satisfies StoredEntry, (chunk) => {
        const part = Buffer.from(chunk, 'utf8');
        bytes += part.length;
        if (bytes > this.maxBytes) throw tooLarge;
        parts.push(part);
      });
    } catch (err) {
      if (err === tooLarge) return;
      throw err;
    }
    await writeFileAtomic(file, Buffer.concat(parts));
    await this.evict(file);
  }

  /** Deletes least recently used entries until the folder fits the cap; `keep` is never deleted. */
  async evict(keep?: string): Promise<void> {
    const entries = await this.list();
    let total = entries.reduce((sum, e) => sum + e.bytes, 0);
    if (total <= this.maxBytes) return;
    entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const entry of entries) {
      if (total <= this.maxBytes) break;
      if (entry.file === keep) continue;
      await fs.rm(entry.file, { force: true });
      total -= entry.bytes;
    }
  }

  async usage(): Promise<ResultCacheUsage> {
    const entries = await this.list();
    return { entries: entries.length, bytes: entries.reduce((sum, e) => sum + e.bytes, 0) };
  }

  /** Removes every entry (and leftover temporary files); returns what was removed. */
  async clear(): Promise<ResultCacheUsage> {
    const entries = await this.list();
    for (const e of entries) await fs.rm(e.file, { force: true });
    for (const name of await this.names()) if (TEMP.test(name)) await fs.rm(path.join(this.dir, name), { force: true });
    return { entries: entries.length, bytes: entries.reduce((sum, e) => sum + e.bytes, 0) };
  }

  private async names(): Promise<string[]> {
    try {
      return await fs.readdir(this.dir);
    } catch {
      return [];
    }
  }

  private async list(): Promise<{ file: string; bytes: number; mtimeMs: number }[]> {
    const out: { file: string; bytes: number; mtimeMs: number }[] = [];
    const now = Date.now();
    for (const name of await this.names()) {
      const file = path.join(this.dir, name);
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat?.isFile()) continue;
      if (ENTRY.test(name)) out.push({ file, bytes: stat.size, mtimeMs: stat.mtimeMs });
      else if (TEMP.test(name) && now - stat.mtimeMs > STALE_TEMP_MS) await fs.rm(file, { force: true });
    }
    return out;
  }
}
