// What a saved run needs to run again: its input files and local model folders. A hub id or catalog
// name is not checked (the job finds it in the cache or downloads it); a path that is gone is named.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Result } from '../../protocol/result';

interface SavedRunInput {
  /** What the input is, as the error message names it ("word list", "model folder"). */
  role: string;
  path: string;
}

const fileRoles: Record<string, string> = { words: 'word list', sentences: 'sentence set', tokens: 'token list', texts: 'text file', sae: 'SAE', source: 'text file' };

/** A local path rather than a hub id or catalog name ("openai-community/gpt2" is an id; "./gpt2" or "/m/gpt2" a folder). */
function isLocalPath(value: string): boolean {
  return path.isAbsolute(value) || /^\.{1,2}[\\/]/.test(value) || /^[a-zA-Z]:[\\/]/.test(value);
}

/** The local files and folders among a saved run's inputs, in the order the job asks for them. */
export function savedRunInputs(result: Result): SavedRunInput[] {
  const inputs = (result as { inputs?: Record<string, unknown> }).inputs ?? {};
  const out: SavedRunInput[] = [];
  for (const [key, value] of Object.entries(inputs)) {
    if (typeof value !== 'string' || !value || key === 'template' || key === 'target' || key === 'hook' || key === 'contrast') continue;
    const spec = value.replace(/^(vectors|model):/, '').replace(/#.*$/, '');
    if (!isLocalPath(spec)) continue;
    if (key === 'model') out.push({ role: 'model folder', path: spec });
    else if (key === 'a' || key === 'b') out.push({ role: `source ${key.toUpperCase()}`, path: spec });
    else if (fileRoles[key]) out.push({ role: fileRoles[key], path: spec });
  }
  return out;
}

/** The first input that is no longer on disk, or undefined when the run can start again. */
export function missingSavedRunInput(result: Result, exists: (p: string) => boolean = existsSync): SavedRunInput | undefined {
  return savedRunInputs(result).find((input) => !exists(input.path));
}

/** The file the job's command takes as its `uri` (the one the explorer would pass), if the run had one. */
export function savedRunInputFile(result: Result): string | undefined {
  return savedRunInputs(result).find((input) => input.role !== 'model folder' && !input.role.startsWith('source'))?.path;
}
