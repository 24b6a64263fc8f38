// The checks an input prompt runs on what it is given, before the next prompt: a model folder is
// a folder with config.json and safetensors weights, a vector file is one by its content, a word
// list is no vector file. Each answers in one short sentence that names the file, never its data.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { isModelFolder, sniffInput, wrongInputMessage } from '../local-scan';
import { validateSourceSpec } from './source-picks';

/** What a model input box says about its text: a path must be a checkpoint folder, anything else is taken as a hub id. */
export function validateModelText(text: string): string | undefined {
  const t = text.trim();
  if (!t) return 'Enter a model id or folder';
  if (!/^([./~]|[A-Za-z]:[\\/])/.test(t) && !existsSync(t)) return undefined;
  const info = statSync(t, { throwIfNoEntry: false });
  if (!info) return `${path.basename(t) || t} does not exist.`;
  if (info.isFile()) return `${path.basename(t)} is a file, not a model folder (config.json and model.safetensors).`;
  return isModelFolder(t) ? undefined : `${path.basename(t) || t} has no config.json and safetensors weights: it is not a model folder.`;
}

/** Undefined when `file` is a vector file, else why not ("a.words is a text file that is no vector file, …"). */
export async function checkVectorFile(file: string): Promise<string | undefined> {
  return wrongInputMessage(file, await sniffInput(file), 'vectors');
}

/** A source spec typed by hand: its form (validateSourceSpec), then what its path holds. */
export async function checkSourceSpec(text: string, catalogNames: readonly string[]): Promise<string | undefined> {
  const problem = validateSourceSpec(text, catalogNames);
  if (problem) return problem;
  const spec = text.trim();
  if (spec.startsWith('vectors:')) return checkVectorFile(spec.slice('vectors:'.length));
  if (spec.startsWith('model:')) {
    const body = spec.slice('model:'.length);
    const hash = body.lastIndexOf('#');
    return validateModelText(hash >= 0 ? body.slice(0, hash) : body);
  }
  return undefined;
}

/** What a word-list prompt learns from the file: a vector file given as a word list says what it is. */
export async function sniffWordList(file: string): Promise<{ vectors?: { format: string; dims: number }; problem?: string }> {
  const kind = await sniffInput(file);
  if (kind.kind === 'vectors') {
    return { vectors: kind, problem: `${path.basename(file)} is a vector file (${kind.format}, ${kind.dims}-d), not a word list.` };
  }
  // A missing file is the job's to report (with its path): a prompt only stops what is the wrong kind.
  return { problem: kind.kind === 'text' || kind.kind === 'missing' ? undefined : wrongInputMessage(file, kind, 'text') };
}
