// Tells the vector formats apart from the first bytes of the (decompressed) content, never the name.
import path from 'node:path';
import { MechLensError } from '../errors';
import { isGzipFile, openByteSource } from './byte-source';
import { parseRowValues } from './parse-values';
import type { VectorFileInfo, VectorFormat } from './types';

const HEAD_BYTES = 256 * 1024;
const HEADER_RE = /^[ \t]*(\d+)[ \t]+(\d+)[ \t]*$/;

export async function detectVectorFile(filePath: string): Promise<VectorFileInfo> {
  const gzip = await isGzipFile(filePath);
  const warnings: string[] = [];
  const head = await readHead(filePath, gzip);
  const namedGz = /\.gz$/i.test(filePath);
  try {
    const { format, dims, headerCount } = classify(head, filePath);
    if (namedGz && !gzip) warnings.push(`${path.basename(filePath)} is named .gz but is not gzip-compressed; it was read as plain ${describeFormat(format)}.`);
    return { path: filePath, format, gzip, dims, headerCount, warnings };
  } catch (err) {
    if (namedGz && !gzip && err instanceof MechLensError) {
      throw new MechLensError('format', 'The file is named .gz but is not gzip data, and not a vector file either', {
        input: filePath,
        line: err.line,
        fix: 'The download or copy is probably broken: fetch the file again.',
      });
    }
    throw err;
  }
}

export function describeFormat(format: VectorFormat): string {
  return format === 'glove-text' ? 'GloVe text' : format === 'word2vec-text' ? 'word2vec/fastText text' : 'word2vec binary';
}

async function readHead(filePath: string, gzip: boolean): Promise<Buffer> {
  const source = await openByteSource(filePath, gzip);
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    let n = 0;
    while (n < HEAD_BYTES) {
      const got = await source.read(head, n, HEAD_BYTES - n);
      if (got === 0) break;
      n += got;
    }
    return head.subarray(0, n);
  } finally {
    await source.close();
  }
}

function classify(head: Buffer, filePath: string): { format: VectorFormat; dims: number; headerCount: number | null } {
  const notVectors = (what: string, line = 1) =>
    new MechLensError('format', `Not a vector file: ${what}`, {
      input: filePath,
      line,
      fix: 'Use GloVe text, word2vec text or binary, or fastText .vec (optionally .gz).',
    });
  if (head.length === 0) throw notVectors('the file is empty');
  const firstEnd = head.indexOf(0x0a);
  if (firstEnd < 0 && head.length === HEAD_BYTES) throw notVectors('the first line is longer than 256 KiB');
  const lineEnd = firstEnd < 0 ? head.length : firstEnd;
  const start = utf8BomLength(head);
  const firstLine = head.toString('latin1', start, lineEnd).replace(/\r$/, '');
  const header = HEADER_RE.exec(firstLine);
  if (header) {
    const headerCount = Number(header[1]);
    const dims = Number(header[2]);
    if (dims === 0) throw notVectors('the header says 0 dimensions');
    return { format: looksLikeTextRow(head, lineEnd + 1, dims) ? 'word2vec-text' : 'word2vec-binary', dims, headerCount };
  }
  if (/[\u0000-\u0008\u000e-\u001f]/.test(firstLine)) throw notVectors('the first line holds binary data and is not a `count dims` header');
  const space = firstLine.indexOf(' ');
  if (space <= 0) throw notVectors(`the first line "${preview(firstLine)}" is neither a \`count dims\` header nor \`word v1 v2 …\``);
  const probe = new Float32Array(0);
  const values = parseRowValues(head, start + space + 1, trimEnd(head, 0, lineEnd), probe, 0, 0);
  if (typeof values !== 'number' || values === 0) {
    throw notVectors(`the first line "${preview(firstLine)}" is neither a \`count dims\` header nor \`word v1 v2 …\``);
  }
  return { format: 'glove-text', dims: values, headerCount: null };
}

/** Bytes that can appear in the numbers of a text row (digits, signs, point, exponent, inf/nan, blanks). */
const NUMBER_BYTES = new Uint8Array(256);
for (const c of '0123456789+-.eEinfatyINFATY \t\r') NUMBER_BYTES[c.charCodeAt(0)] = 1;

const NO_VALUES = new Float32Array(0);

/**
 * After a header, text and binary differ right after the first word: a text row goes on with
 * numbers, a binary record with raw float32 bytes. Those bytes can all be number characters (7.03e-10
 * is "y5A0"), so the whole tokens are checked, not only their characters.
 * A text row with the wrong count still counts as text here, so its reader can name the line.
 */
function looksLikeTextRow(head: Buffer, start: number, dims: number): boolean {
  if (start >= head.length) return true; // header only (count 0): nothing contradicts text
  const space = head.indexOf(0x20, start);
  if (space < 0) return false;
  const limit = Math.min(head.length, space + 1 + dims * 4);
  let end = limit;
  let sawNumber = false;
  for (let i = space + 1; i < limit; i++) {
    const c = head[i];
    // A line break before any number is no text row ("word" with no values); in binary it is simply
    // a float32 byte (0x0a), e.g. the first byte of -1.1114e30.
    if (c === 0x0a) {
      if (!sawNumber) return false;
      end = i;
      break;
    }
    if (!NUMBER_BYTES[c]) return false;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) sawNumber = true;
  }
  // Without a line break the last token may be cut off by the limit: judge only the whole ones.
  if (end === limit && end < head.length && head[end] !== 0x20 && head[end] !== 0x0a) {
    while (end > space + 1 && head[end - 1] !== 0x20 && head[end - 1] !== 0x09 && head[end - 1] !== 0x0d) end--;
  }
  // The tokens as the text reader will parse them (parseRowValues: numbers, inf, nan).
  return typeof parseRowValues(head, space + 1, end, NO_VALUES, 0, 0) === 'number';
}

/** 3 when the bytes start with a UTF-8 byte-order mark (some editors add one to text files), else 0. */
export function utf8BomLength(bytes: Uint8Array): number {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

function trimEnd(buf: Buffer, start: number, end: number): number {
  while (end > start && (buf[end - 1] === 0x0d || buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
  return end;
}

function preview(line: string): string {
  const clean = line.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? clean.slice(0, 40) + '…' : clean;
}
