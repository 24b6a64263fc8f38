// Which files of a model folder MechLens itself downloaded and checked, so that a run cut short can
// keep them without fetching them again, while a file of unknown origin with the right size (a
// folder copied in by hand) is never taken on trust. Each entry holds the size, mtime and sha256 of
// the file as it lay on disk after its download; a file that changed since no longer matches.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../io/atomic-write';

export const DOWNLOAD_RECORD_FILE = '.mechlens-files.json';

interface FileEntry {
  bytes: number;
  mtimeMs: number;
  sha256: string;
}

type Record = { [name: string]: FileEntry };

function read(dir: string): Record {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, DOWNLOAD_RECORD_FILE), 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record) : {};
  } catch {
    return {};
  }
}

/** True when `name` is the very file this folder's record says MechLens downloaded (and, if given, has that sha256). */
export function isRecordedDownload(dir: string, name: string, sha256?: string): boolean {
  const entry = read(dir)[name];
  if (!entry) return false;
  const stat = fs.statSync(path.join(dir, name), { throwIfNoEntry: false });
  return stat !== undefined && stat.size === entry.bytes && stat.mtimeMs === entry.mtimeMs && (sha256 === undefined || sha256.toLowerCase() === entry.sha256);
}

/** Notes a file just downloaded and verified (call while holding the folder's download lock). */
export function recordDownload(dir: string, name: string, sha256: string): void {
  const stat = fs.statSync(path.join(dir, name));
  const record = read(dir);
  record[name] = { bytes: stat.size, mtimeMs: stat.mtimeMs, sha256 };
  writeFileAtomicSync(path.join(dir, DOWNLOAD_RECORD_FILE), JSON.stringify(record));
}
