// The streaming core: walks the rows of a vector file in file order over a byte window, handing
// each row's word and value bytes to a visitor. Nothing is decoded here, so a lookup that wants
// 100 words out of 3 million pays only for finding line ends and comparing word bytes.
import { throwIfCancelled, MechLensError } from '../errors';
import type { RunControl } from '../run-control';
import { openByteSource, type ByteSource } from './byte-source';
import { utf8BomLength } from './detect';
import type { VectorFileInfo } from './types';

/**
 * One row. Text rows: values are buf[valuesStart, valuesEnd) as ASCII numbers. Binary rows: exactly
 * dims × 4 bytes of little-endian float32. `line` is the 1-based text line (0 for binary files).
 * The buffer is reused after the call returns: copy what you keep. Return false to stop.
 */
export type RowVisitor = (buf: Buffer, wordStart: number, wordEnd: number, valuesStart: number, valuesEnd: number, row: number, line: number) => boolean | void;

export interface RowWalk {
  /** Rows visited. */
  rows: number;
  /** True when the walk reached the end of the file (false when the visitor stopped it). */
  complete: boolean;
}

const WINDOW_BYTES = 8 << 20;
/** A row longer than this means the file is not a vector file; refusing it keeps memory bounded. */
const MAX_WINDOW_BYTES = 256 << 20;
/** Longest word we believe in; a binary "word" longer than this means the file is not what it seems. */
const MAX_WORD_BYTES = 4096;

export async function forEachRow(info: VectorFileInfo, control: RunControl | undefined, message: string, visit: RowVisitor): Promise<RowWalk> {
  const source = await openByteSource(info.path, info.gzip);
  try {
    const window = new ByteWindow(source, control, message);
    return info.format === 'word2vec-binary' ? await walkBinary(info, window, visit) : await walkText(info, window, visit);
  } finally {
    await source.close();
  }
}

/** A MechLensError about one row, naming the line (text) or record number (binary) and the word. */
export function rowError(info: VectorFileInfo, row: number, line: number, word: string | undefined, what: string, fix: string): MechLensError {
  const where = line > 0 ? '' : ` (record ${row + 1} after the header)`;
  const about = word === undefined ? '' : ` for "${word.length > 60 ? word.slice(0, 60) + '…' : word}"`;
  return new MechLensError('format', `${what}${about}${where}`, { input: info.path, line: line > 0 ? line : undefined, fix });
}

class ByteWindow {
  private buf = Buffer.allocUnsafe(WINDOW_BYTES);
  /** The valid bytes: buf[0, end). A view, so indexOf never sees stale bytes past the end. */
  data: Buffer = this.buf.subarray(0, 0);
  eof = false;

  constructor(
    private readonly source: ByteSource,
    private readonly control: RunControl | undefined,
    private readonly message: string,
  ) {}

  get end(): number {
    return this.data.length;
  }

  /** Keeps data[keepFrom, end) at the front and reads more after it. */
  async refill(keepFrom: number): Promise<void> {
    // Let timers, abort events and progress listeners run between chunks.
    await new Promise<void>((resolve) => setImmediate(resolve));
    throwIfCancelled(this.control?.signal);
    const keep = this.end - keepFrom;
    if (keep > this.buf.length / 2) {
      if (this.buf.length >= MAX_WINDOW_BYTES) {
        throw new MechLensError('format', `A single row is longer than ${MAX_WINDOW_BYTES >> 20} MB`, {
          input: this.source.path,
          fix: 'This is not a vector file (or has no line breaks): use GloVe text, word2vec text or binary, or fastText .vec.',
        });
      }
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, keepFrom, this.end);
      this.buf = bigger;
    } else if (keep > 0 && keepFrom > 0) {
      this.buf.copy(this.buf, 0, keepFrom, this.end);
    }
    let end = keep;
    while (end < this.buf.length) {
      const n = await this.source.read(this.buf, end, this.buf.length - end);
      if (n === 0) {
        this.eof = true;
        break;
      }
      end += n;
    }
    this.data = this.buf.subarray(0, end);
    this.control?.onProgress?.({ message: this.message, fraction: this.source.fileSize ? Math.min(1, this.source.fileBytesRead / this.source.fileSize) : undefined });
  }
}

async function walkText(info: VectorFileInfo, window: ByteWindow, visit: RowVisitor): Promise<RowWalk> {
  await window.refill(0);
  const skipHeader = info.format === 'word2vec-text';
  let pos = utf8BomLength(window.data);
  let line = 0;
  let row = 0;
  for (;;) {
    const data = window.data;
    let nl = data.indexOf(0x0a, pos);
    if (nl < 0) {
      if (!window.eof) {
        await window.refill(pos);
        pos = 0;
        continue;
      }
      if (pos >= data.length) break;
      nl = data.length;
    }
    line++;
    if (line === 1 && skipHeader) {
      pos = nl + 1;
      continue;
    }
    let end = nl;
    while (end > pos && (data[end - 1] === 0x0d || data[end - 1] === 0x20 || data[end - 1] === 0x09)) end--;
    if (end > pos) {
      const space = data.indexOf(0x20, pos);
      if (space < 0 || space >= end) {
        throw rowError(info, row, line, data.toString('utf8', pos, Math.min(end, pos + 60)), 'Line has a word but no values', 'Each line must be `word v1 v2 …`; the file may be cut short or not a vector file.');
      }
      if (space === pos) throw rowError(info, row, line, undefined, 'Line starts with a space, so its word is empty', 'Each line must be `word v1 v2 …`.');
      if (visit(data, pos, space, space + 1, end, row, line) === false) return { rows: row + 1, complete: false };
      row++;
    }
    pos = nl + 1;
  }
  if (info.headerCount !== null && row !== info.headerCount) {
    throw new MechLensError('format', `The header says ${info.headerCount} rows but the file has ${row}`, {
      input: info.path,
      line: 1,
      fix: row < info.headerCount ? 'The file is probably cut short: download or copy it again.' : 'Fix the count in the first line.',
    });
  }
  return { rows: row, complete: true };
}

async function walkBinary(info: VectorFileInfo, window: ByteWindow, visit: RowVisitor): Promise<RowWalk> {
  await window.refill(0);
  const count = info.headerCount ?? 0;
  const recordBytes = info.dims * 4;
  let pos = window.data.indexOf(0x0a) + 1;
  const truncated = (row: number, word?: string) =>
    rowError(info, row, 0, word, `The file ends inside record ${row + 1} of the ${count} the header announces`, 'The file is cut short (or its header count is too high): download or copy it again.');
  for (let row = 0; row < count; row++) {
    for (;;) {
      while (pos < window.end && window.data[pos] === 0x0a) pos++;
      if (pos < window.end || window.eof) break;
      await window.refill(pos);
      pos = 0;
    }
    if (pos >= window.end) throw truncated(row);
    let space: number;
    for (;;) {
      space = window.data.indexOf(0x20, pos);
      if (space >= 0 && space - pos > MAX_WORD_BYTES) space = -1;
      if (space >= 0 && space + 1 + recordBytes <= window.end) break;
      if (window.eof) throw truncated(row, space >= 0 ? window.data.toString('utf8', pos, space) : undefined);
      if (space < 0 && window.end - pos > MAX_WORD_BYTES) {
        throw rowError(info, row, 0, undefined, `No word found: ${MAX_WORD_BYTES} bytes without a space`, 'This is not a word2vec binary file, or the header has the wrong dimension count.');
      }
      await window.refill(pos);
      pos = 0;
    }
    if (space === pos) throw rowError(info, row, 0, undefined, 'Empty word', 'This is not a word2vec binary file, or the header has the wrong dimension count.');
    if (visit(window.data, pos, space, space + 1, space + 1 + recordBytes, row, 0) === false) return { rows: row + 1, complete: false };
    pos = space + 1 + recordBytes;
  }
  // Whatever follows the last announced record must be blank, or the header count is wrong.
  for (;;) {
    while (pos < window.end && (window.data[pos] === 0x0a || window.data[pos] === 0x0d || window.data[pos] === 0x20)) pos++;
    if (pos < window.end) {
      throw new MechLensError('format', `The header announces ${count} records but the file goes on after them`, {
        input: info.path,
        line: 1,
        fix: 'The header count is wrong (or the dimension count is): fix the first line or get the file again.',
      });
    }
    if (window.eof) break;
    await window.refill(pos);
    pos = 0;
  }
  return { rows: count, complete: true };
}
