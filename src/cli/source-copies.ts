// "Which copy was used": one line per model or vector set a result read, naming where it was found
// (the Hugging Face hub cache, gensim-data's folder, MechLens's cache, a path given), on stderr.
import { describeCopyLine } from '../core/models/hub-cache';
import type { SourceCopy } from '../protocol/result';
import type { CliIo } from './command';

export function logSourceCopies(result: unknown, io: CliIo): void {
  const seen = new Set<string>();
  for (const { label, copy } of sourceCopies(result, 4)) {
    const key = `${label}\n${copy.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    io.log(describeCopyLine(label, copy));
  }
}

/** Every `{ label, copy }` (a SourceInfo with a copy) in a result, searched a few levels deep. */
function sourceCopies(value: unknown, depth: number): { label: string; copy: SourceCopy }[] {
  if (depth < 0 || typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const record = value as Record<string, unknown>;
  const copy = record.copy as SourceCopy | undefined;
  if (typeof record.label === 'string' && typeof copy === 'object' && copy !== null && typeof copy.path === 'string') {
    return [{ label: record.label.replace(/#.*$/, ''), copy }];
  }
  return Object.values(record).flatMap((v) => sourceCopies(v, depth - 1));
}
