// Results too large for the webview's own state (the panel keeps only results up to 400 items
// there, since VS Code serializes that state on every change) are written to the extension's
// storage, keyed by panel title, so a reload can still bring the panel back.
import { mkdirSync, readdirSync, rmSync, statSync, readFileSync, existsSync } from 'node:fs';
import { writeJsonFileSync } from '../../core/io/json-stream';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Result } from '../../protocol/result';
import type { MementoLike } from '../recent';
import { parseSavedRun } from './saved-run';

/** src/webview/main.ts keeps results of at most this many rows (words, or sentences) in webview state. */
export const webviewStateItemLimit = 400;
const storeKey = 'mechlens.panelStore';
const maxStored = 8;

/** The count the webview compares with its limit: words for compare, sentences for contrast, matches for match. */
export function rowsOf(result: Result): number {
  const r = result as unknown as { items?: unknown[]; sentences?: unknown[]; matches?: unknown[]; tokens?: unknown[] };
  return r.items?.length ?? r.sentences?.length ?? r.matches?.length ?? r.tokens?.length ?? Number.POSITIVE_INFINITY;
}

export class PanelStore {
  constructor(private readonly memento: MementoLike, private readonly folder: string) {}

  private entries(): Record<string, string> {
    const value = this.memento.get<unknown>(storeKey);
    return typeof value === 'object' && value !== null ? { ...(value as Record<string, string>) } : {};
  }

  /** Keeps a copy when the webview state will not; returns the file written, if any. */
  async remember(title: string, result: Result): Promise<string | undefined> {
    if (rowsOf(result) <= webviewStateItemLimit) return undefined;
    mkdirSync(this.folder, { recursive: true });
    const file = path.join(this.folder, `${createHash('sha256').update(title).digest('hex').slice(0, 16)}.mechlens.json`);
    writeJsonFileSync(file, result);
    const entries = this.entries();
    delete entries[title];
    entries[title] = file;
    // Oldest first in insertion order: drop beyond the limit, with their files.
    const titles = Object.keys(entries);
    for (const old of titles.slice(0, Math.max(0, titles.length - maxStored))) {
      if (entries[old] !== file) rmSync(entries[old], { force: true });
      delete entries[old];
    }
    await this.memento.update(storeKey, entries);
    this.removeStrays(new Set(Object.values(entries)));
    return file;
  }

  /** The stored result of a panel with this title, if there is a readable one. */
  recall(title: string): Result | undefined {
    const file = this.entries()[title];
    if (!file || !existsSync(file)) return undefined;
    return parseSavedRun(readFileSync(file), file);
  }

  private removeStrays(keep: Set<string>): void {
    for (const name of readdirSync(this.folder)) {
      const file = path.join(this.folder, name);
      if (name.endsWith('.mechlens.json') && !keep.has(file) && statSync(file).isFile()) rmSync(file, { force: true });
    }
  }
}
