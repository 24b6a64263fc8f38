// Shared line handling for the word-list and sentence-set formats: any line ending, a BOM,
// and rejection of lines that cannot be text a person wrote (control characters, decoding debris).
import fs from 'node:fs';
import { MechLensError } from '../errors';

/** Longest line we accept; longer ones are almost always a binary or minified file opened by mistake. */
const MAX_LINE_LENGTH = 10_000;

/** Splits on CRLF, CR or LF (mixed is fine) after dropping a UTF-8 BOM. Line i is line number i + 1. */
export function splitLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split(/\r\n|\r|\n/);
}

/** Lines whose first non-space character is `#` are comments. */
export function isComment(trimmed: string): boolean {
  return trimmed.startsWith('#');
}

/**
 * Throws a parse error naming the line when it holds characters no hand-written list contains:
 * C0/C1 control characters other than tab, or U+FFFD (what a decoder makes of bytes that are not UTF-8).
 */
export function assertReadableLine(line: string, lineNumber: number, source: string): void {
  if (line.length > MAX_LINE_LENGTH) {
    throw new MechLensError('parse', `Line is ${line.length} characters long, which is not a word-list or sentence line`, {
      input: source,
      line: lineNumber,
      fix: 'Check that this is a text file with one item per line (binary or minified files are not accepted).',
    });
  }
  const bad = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/.exec(line);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    const what = bad[0] === '\ufffd' ? 'bytes that are not valid text (U+FFFD)' : `the control character U+${code}`;
    throw new MechLensError('parse', `Unreadable line: it contains ${what} at column ${bad.index + 1}`, {
      input: source,
      line: lineNumber,
      fix: 'Save the file as plain UTF-8 text; binary files cannot be read as lists.',
    });
  }
}

/** Reads a file as strict UTF-8, naming the line of the first invalid byte. */
export function readUtf8File(filePath: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(filePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MechLensError(code === 'ENOENT' ? 'not-found' : 'parse', code === 'ENOENT' ? 'File not found' : `Cannot read the file (${code ?? String(err)})`, {
      input: filePath,
      fix: code === 'ENOENT' ? 'Check the path.' : 'Check that it is a readable file.',
      cause: err,
    });
  }
  return decodeUtf8(bytes, filePath);
}

export function decodeUtf8(bytes: Uint8Array, source: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new MechLensError('parse', 'The file is UTF-16 text', { input: source, line: 1, fix: 'Save it as UTF-8 (in VS Code: "Save with Encoding" > UTF-8).' });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    throw new MechLensError('parse', `The file is not valid UTF-8 (byte ${offset} is 0x${bytes[offset]?.toString(16).padStart(2, '0')})`, {
      input: source,
      line,
      fix: 'Save it as UTF-8 text; binary files cannot be read as lists.',
    });
  }
}

/** Byte offset of the first byte that breaks UTF-8, or bytes.length if none does. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}

/** Parses a `[category]` header line (already trimmed), or returns undefined if it is not one. */
export function parseCategoryHeader(trimmed: string, lineNumber: number, source: string): string | undefined {
  const opens = trimmed.startsWith('[');
  const closes = trimmed.endsWith(']');
  if (!opens && !closes) return undefined;
  if (!opens || !closes || trimmed.length < 2) {
    throw new MechLensError('parse', `Unbalanced bracket in "${trimmed}"`, {
      input: source,
      line: lineNumber,
      fix: 'A category header is a whole line like [fruit].',
    });
  }
  const name = trimmed.slice(1, -1).trim();
  if (!name) throw new MechLensError('parse', 'Empty category name "[]"', { input: source, line: lineNumber, fix: 'Write a name inside the brackets, like [fruit].' });
  if (/[[\]]/.test(name)) {
    throw new MechLensError('parse', `Category header "${trimmed}" has brackets inside`, { input: source, line: lineNumber, fix: 'A category header is a whole line like [fruit].' });
  }
  return name;
}

/**
 * Tracks categories while a list is parsed: refuses a category header used twice and a category
 * that ends with no items, naming the header's line.
 */
export class CategoryTracker {
  readonly categories: string[] = [];
  private current: string | null = null;
  private currentLine = 0;
  private currentCount = 0;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly source: string,
    private readonly itemNoun: string,
  ) {}

  get category(): string | null {
    return this.current;
  }

  open(name: string, lineNumber: number): void {
    this.closeCurrent();
    const earlier = this.seen.get(name);
    if (earlier !== undefined) {
      throw new MechLensError('parse', `Category [${name}] appears twice (first on line ${earlier})`, {
        input: this.source,
        line: lineNumber,
        fix: `Merge the two [${name}] sections into one.`,
      });
    }
    this.seen.set(name, lineNumber);
    this.categories.push(name);
    this.current = name;
    this.currentLine = lineNumber;
    this.currentCount = 0;
  }

  addItem(): void {
    this.currentCount++;
  }

  closeCurrent(): void {
    if (this.current !== null && this.currentCount === 0) {
      throw new MechLensError('parse', `Category [${this.current}] has no ${this.itemNoun}s`, {
        input: this.source,
        line: this.currentLine,
        fix: `Add ${this.itemNoun}s under it, one per line, or remove the header.`,
      });
    }
  }
}
