// Builds Hugging Face hub caches and gensim-data folders the way Python's huggingface_hub and
// gensim.downloader leave them, for the cache lookup tests: every snapshot file is a relative
// symlink into ../../blobs/<sha256>, refs/<revision> holds a commit.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Adds one snapshot of `repoId` under `cacheRoot` with the files of `fromDir` (all or `only` those), linked into blobs/. */
export function addHubSnapshot(cacheRoot: string, repoId: string, commit: string, fromDir: string, only?: readonly string[]): string {
  const repoDir = path.join(cacheRoot, `models--${repoId.split('/').join('--')}`);
  const snapshot = path.join(repoDir, 'snapshots', commit);
  fs.mkdirSync(path.join(repoDir, 'blobs'), { recursive: true });
  fs.mkdirSync(snapshot, { recursive: true });
  for (const name of only ?? fs.readdirSync(fromDir)) {
    const bytes = fs.readFileSync(path.join(fromDir, name));
    const blob = createHash('sha256').update(bytes).digest('hex');
    fs.writeFileSync(path.join(repoDir, 'blobs', blob), bytes);
    fs.symlinkSync(path.join('..', '..', 'blobs', blob), path.join(snapshot, name));
  }
  return snapshot;
}

/** Points `refs/<revision>` of a cached repository at a commit. */
export function setHubRef(cacheRoot: string, repoId: string, revision: string, commit: string): void {
  const ref = path.join(cacheRoot, `models--${repoId.split('/').join('--')}`, 'refs', revision);
  fs.mkdirSync(path.dirname(ref), { recursive: true });
  fs.writeFileSync(ref, commit);
}

/** gensim.downloader's layout: `<base>/<name>/<name>.gz` (plus its __init__.py, which MechLens ignores). */
export function addGensimData(base: string, name: string, gzBytes: Buffer): string {
  const file = path.join(base, name, `${name}.gz`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, gzBytes);
  fs.writeFileSync(path.join(base, name, '__init__.py'), '');
  return file;
}
