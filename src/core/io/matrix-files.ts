// Matrix files in the formats Python users already have: NumPy .npy (v1-v3 headers, little-endian
// f2/f4/f8/i4/i8, C order), CSV, and the Embedding Projector's vectors TSV with its optional metadata
// TSV for labels. Writes .npy (f4/f8) and CSV so results go back to numpy unchanged.
import { open, readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write';
import { extname } from 'node:path';
import type { Matrix } from '../matrix';
import { MechLensError } from '../errors';
import { requireFinite } from '../finite';
import { f16ToF32 } from './half-float';
import { ColumnStatisticsAccumulator, columnStatistics, requireColumnStatistics, type ColumnStatistics } from '../column-statistics';

export type MatrixFormat = 'npy' | 'csv' | 'tsv';

export interface MatrixFile {
  matrix: Matrix;
  format: MatrixFormat;
  /** Row labels: a non-numeric first column, or the metadata file's first column. */
  labels?: string[];
  /** Column names from a header row, when the text file has one. */
  columns?: string[];
  /** When asked for (ReadMatrixOptions.statistics). */
  statistics?: ColumnStatistics;
}

export interface ReadMatrixOptions {
  /** Embedding Projector metadata TSV whose first column labels the rows. */
  metadataPath?: string;
  /** Forces the format instead of going by the extension. */
  format?: MatrixFormat;
  /**
   * Also compute the column statistics (PCA's means and total sum of squares), in the same pass as
   * the finite check, and for a .npy while the file is still being read.
   */
  statistics?: boolean;
  /**
   * Work to overlap with the read (the CLI's PCA loads onnxruntime here): run once on this thread,
   * after the first chunk has landed and while the next is being read.
   */
  whileReading?: () => void;
}

/** Bytes per read when the caller looks at the data as it arrives: its work on one chunk overlaps the next chunk's read. */
const CHUNK_BYTES = 16 * 2 ** 20;

/**
 * The whole file in one buffer of its own, read in as few calls as the kernel allows: readFile
 * reads 512 KiB per call (300 thread-pool round trips for the GPT-2 vocabulary's 154 MB, 2–4× the
 * time of one large read). With `onChunk`, in chunks of CHUNK_BYTES instead: it is called with the
 * bytes so far after each one lands, while the next one is being read.
 */
async function readWhole(path: string, onChunk?: (bytes: Buffer, filled: number) => void): Promise<Buffer> {
  const handle = await open(path, 'r');
  let pending: Promise<{ bytesRead: number }> | null = null;
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.allocUnsafeSlow(size);
    const step = onChunk ? CHUNK_BYTES : size;
    let filled = 0;
    const next = () => (filled < size ? handle.read(bytes, filled, Math.min(step, size - filled), filled) : null);
    pending = next();
    while (pending) {
      const { bytesRead } = await pending;
      pending = null;
      if (bytesRead === 0) break;
      filled += bytesRead;
      pending = next();
      onChunk?.(bytes, filled);
    }
    return filled === size ? bytes : bytes.subarray(0, filled);
  } finally {
    // A chunk's work that threw leaves a read in flight: it must end before the handle closes.
    await pending?.catch(() => undefined);
    await handle.close();
  }
}

export async function readMatrixFile(path: string, options: ReadMatrixOptions = {}): Promise<MatrixFile> {
  const format = options.format ?? formatOf(path);
  // The statistics of a .npy of floats are summed chunk by chunk as the file arrives (npyStatisticsAsRead).
  const early = options.statistics && format === 'npy' ? npyStatisticsAsRead() : undefined;
  let whileReading = options.whileReading;
  const onChunk = early || whileReading
    ? (bytes: Buffer, filled: number) => {
      early?.onChunk(bytes, filled);
      const work = whileReading;
      whileReading = undefined;
      work?.();
    }
    : undefined;
  let bytes: Buffer;
  try {
    bytes = await readWhole(path, onChunk);
  } catch (cause) {
    throw new MechLensError('not-found', 'cannot read the matrix file', { input: path, fix: 'Check the path.', cause });
  }
  const result: MatrixFile = format === 'npy'
    ? { matrix: parseNpy(bytes, path), format }
    : { ...parseDelimited(bytes.toString('utf8'), format === 'csv' ? ',' : '\t', path), format };
  const fix = 'MechLens needs finite numbers: remove or fill the NaN/Infinity cells (for example numpy.nan_to_num, or drop those rows) and save again.';
  // With statistics, their pass is the finite check (a NaN or ±Infinity makes its column's sums non-finite).
  if (options.statistics) result.statistics = requireColumnStatistics(result.matrix, path, fix, early?.finish(result.matrix));
  else requireFinite(result.matrix, path, fix);
  if (options.metadataPath) {
    let text: string;
    try {
      text = await readFile(options.metadataPath, 'utf8');
    } catch (cause) {
      throw new MechLensError('not-found', 'cannot read the metadata file', { input: options.metadataPath, fix: 'Check the path.', cause });
    }
    result.labels = parseMetadataTsv(text, options.metadataPath, result.matrix.rows);
  }
  return result;
}

/**
 * Column statistics of a .npy's rows summed as its chunks arrive: for float32/float64 values at an
 * aligned offset (numpy's own files), read where they land. For anything else, or a header that does
 * not parse from the first chunk, `finish` computes them from the parsed matrix in one pass instead.
 */
function npyStatisticsAsRead(): { onChunk: (bytes: Buffer, filled: number) => void; finish: (m: Matrix) => ColumnStatistics | null } {
  let layout: NpyLayout | null | undefined;
  let accumulator: ColumnStatisticsAccumulator | undefined;
  let rowsDone = 0;
  return {
    onChunk(bytes, filled) {
      if (layout === undefined) {
        try {
          layout = npyLayout(bytes.subarray(0, filled), '.npy');
        } catch {
          layout = null;
        }
        if (layout && !(isFloat(layout.descr) && layout.cols > 0 && (bytes.byteOffset + layout.dataStart) % layout.elementBytes === 0)) layout = null;
        if (layout) accumulator = new ColumnStatisticsAccumulator(layout.cols);
      }
      if (!layout || !accumulator) return;
      const { rows, cols, elementBytes, dataStart } = layout;
      const rowsIn = Math.min(rows, Math.floor((filled - dataStart) / (cols * elementBytes)));
      if (rowsIn <= rowsDone) return;
      const start = bytes.byteOffset + dataStart + rowsDone * cols * elementBytes, count = (rowsIn - rowsDone) * cols;
      accumulator.add(elementBytes === 4 ? new Float32Array(bytes.buffer, start, count) : new Float64Array(bytes.buffer, start, count), rowsIn - rowsDone);
      rowsDone = rowsIn;
    },
    finish(m) {
      return accumulator && rowsDone === m.rows && accumulator.cols === m.cols ? accumulator.finish() : columnStatistics(m.data as Float32Array | Float64Array, m.rows, m.cols);
    },
  };
}

function formatOf(path: string): MatrixFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.npy') return 'npy';
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab' || ext === '.txt') return 'tsv';
  throw new MechLensError('unsupported', `unknown matrix file type "${ext || '(none)'}"`, { input: path, fix: 'Use .npy, .csv or .tsv.' });
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface NpyLayout {
  rows: number;
  cols: number;
  shape: number[];
  descr: string;
  elementBytes: number;
  /** Where the values start in the file. */
  dataStart: number;
}

/** The header of a .npy file: shape, dtype and where the data starts (the bytes must reach past the header). */
function npyLayout(bytes: Uint8Array, input: string): NpyLayout {
  if (bytes.length < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new MechLensError('format', 'not a NumPy .npy file (bad magic bytes)', { input, fix: 'Save it with numpy.save.' });
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number, headerStart: number;
  if (major === 1) { headerLength = view.getUint16(8, true); headerStart = 10; }
  else if (major === 2 || major === 3) { headerLength = view.getUint32(8, true); headerStart = 12; }
  else throw new MechLensError('unsupported', `.npy format version ${major} is not supported`, { input, fix: 'Save with numpy.save (versions 1-3).' });
  const header = Buffer.from(bytes.subarray(headerStart, headerStart + headerLength)).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new MechLensError('format', `unreadable .npy header: ${header.trim()}`, { input });
  if (fortran === 'True') {
    throw new MechLensError('unsupported', '.npy array is in Fortran (column-major) order', { input, fix: 'Save np.ascontiguousarray(a) instead.' });
  }
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.length === 0 || shape.length > 2 || shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new MechLensError('unsupported', `.npy array has shape (${shapeText}); a matrix needs 1 or 2 dimensions`, { input, fix: 'Reshape to (rows, columns) before saving.' });
  }
  const sizes: Record<string, number> = { '<f2': 2, '<f4': 4, '<f8': 8, '<i4': 4, '<i8': 8 };
  const elementBytes = sizes[descr];
  if (!elementBytes) {
    throw new MechLensError('unsupported', `.npy dtype "${descr}" is not supported`, { input, fix: 'Convert with a.astype("<f4") or "<f8" (little-endian float) before saving.' });
  }
  return { rows: shape[0], cols: shape.length === 2 ? shape[1] : 1, shape, descr, elementBytes, dataStart: headerStart + headerLength };
}

const isFloat = (descr: string) => descr === '<f4' || descr === '<f8';

/** A NumPy .npy file as a matrix: 2-D arrays as they are, 1-D arrays as one column. */
export function parseNpy(bytes: Uint8Array, input = '.npy'): Matrix {
  const { rows, cols, shape, descr, elementBytes: size, dataStart } = npyLayout(bytes, input);
  const count = rows * cols;
  if (bytes.length - dataStart < count * size) {
    throw new MechLensError('format', `.npy file is truncated: ${bytes.length - dataStart} data bytes for shape (${shape.join(', ')}) of ${descr}, need ${count * size}`, { input });
  }
  // numpy pads the header so the data starts 64-byte aligned in the file: then the floats are a view
  // of the bytes read (no copy of 154 MB for the GPT-2 vocabulary); otherwise they are copied out.
  // Only when the bytes own their ArrayBuffer: a view into Node's shared Buffer pool would keep the
  // pool alive and could not be transferred to a worker.
  const offset = bytes.byteOffset + dataStart;
  if (isFloat(descr) && offset % size === 0 && bytes.byteLength === bytes.buffer.byteLength) {
    return { rows, cols, data: descr === '<f4' ? new Float32Array(bytes.buffer, offset, count) : new Float64Array(bytes.buffer, offset, count) };
  }
  const raw = new Uint8Array(bytes.subarray(dataStart, dataStart + count * size)).buffer;
  if (descr === '<f4') return { rows, cols, data: new Float32Array(raw) };
  if (descr === '<f2') return { rows, cols, data: f16ToF32(new Uint16Array(raw)) };
  if (descr === '<f8') return { rows, cols, data: new Float64Array(raw) };
  const data = new Float64Array(count);
  if (descr === '<i4') data.set(new Int32Array(raw));
  else { const ints = new BigInt64Array(raw); for (let i = 0; i < count; i++) data[i] = Number(ints[i]); }
  return { rows, cols, data };
}

/** A .npy v1 file for m, as float32 ('f4') or float64 ('f8'). */
export function formatNpy(m: Matrix, dtype: 'f4' | 'f8' = m.data instanceof Float32Array ? 'f4' : 'f8'): Uint8Array {
  let header = `{'descr': '<${dtype}', 'fortran_order': False, 'shape': (${m.rows}, ${m.cols}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const data = dtype === 'f4' ? Float32Array.from(m.data) : Float64Array.from(m.data);
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(NPY_MAGIC, 0);
  out[6] = 1; out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(new Uint8Array(data.buffer), 10 + header.length);
  return out;
}

/**
 * Comma- or tab-separated numbers. A first row that is not all numbers is a header; a first column
 * that is not numeric holds row labels. Blank lines are skipped. Errors name the file and line.
 */
export function parseDelimited(text: string, delimiter: ',' | '\t', input = 'matrix'): { matrix: Matrix<Float64Array>; labels?: string[]; columns?: string[] } {
  const lines = text.split(/\r?\n/);
  const values: number[] = [];
  const labels: string[] = [];
  let columns: string[] | undefined;
  let cols = -1, rows = 0, hasLabels: boolean | undefined;
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l];
    if (line.trim() === '') continue;
    let fields = splitFields(line, delimiter);
    if (rows === 0 && columns === undefined && fields.every((f) => !isNumber(f)) && fields.length > 1) {
      columns = fields;
      continue;
    }
    if (hasLabels === undefined) hasLabels = !isNumber(fields[0]);
    if (hasLabels) { labels.push(fields[0]); fields = fields.slice(1); }
    if (cols < 0) cols = fields.length;
    if (fields.length !== cols) {
      throw new MechLensError('parse', `row has ${fields.length} values, expected ${cols} like the first row`, { input, line: l + 1, fix: 'Every row needs the same number of columns.' });
    }
    for (let c = 0; c < fields.length; c++) {
      const v = Number(fields[c]);
      if (!isNumber(fields[c])) {
        throw new MechLensError('parse', `value "${fields[c]}" in column ${c + 1 + (hasLabels ? 1 : 0)} is not a number`, { input, line: l + 1, fix: 'Matrix files hold numbers only (plus an optional header row and label column).' });
      }
      values.push(v);
    }
    rows++;
  }
  if (rows === 0) throw new MechLensError('parse', 'no rows of numbers found', { input, fix: 'Give one row per point, values separated by commas or tabs.' });
  if (columns && hasLabels && columns.length === cols + 1) columns = columns.slice(1);
  return { matrix: { rows, cols, data: Float64Array.from(values) }, ...(hasLabels ? { labels } : {}), ...(columns ? { columns } : {}) };
}

function splitFields(line: string, delimiter: string): string[] {
  if (delimiter === '\t' || !line.includes('"')) return line.split(delimiter).map((f) => f.trim());
  // Minimal CSV quoting: "a, b" and "" escapes, enough for labels.
  const out: string[] = [];
  let field = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) { out.push(field.trim()); field = ''; }
    else field += ch;
  }
  out.push(field.trim());
  return out;
}

function isNumber(field: string): boolean {
  if (field === '') return false;
  const v = Number(field);
  return !Number.isNaN(v) || /^nan$/i.test(field);
}

/**
 * The Embedding Projector's metadata TSV: a single column has no header; with several columns
 * the first row is a header. Labels come from the first column.
 */
export function parseMetadataTsv(text: string, input: string, expectedRows: number): string[] {
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const multiColumn = lines.length > 0 && lines[0].includes('\t');
  const body = multiColumn ? lines.slice(1) : lines;
  if (body.length !== expectedRows) {
    throw new MechLensError('parse', `metadata has ${body.length} rows but the matrix has ${expectedRows}`, { input, line: lines.length, fix: multiColumn ? 'With several columns the first row must be a header, then one row per point.' : 'Give one label per line, one line per point.' });
  }
  return body.map((line) => line.split('\t')[0]);
}

export function formatCsv(m: Matrix, options: { columns?: string[]; labels?: string[] } = {}): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines: string[] = [];
  if (options.columns) lines.push([...(options.labels ? ['label'] : []), ...options.columns].map(quote).join(','));
  for (let i = 0; i < m.rows; i++) {
    const row: string[] = options.labels ? [quote(options.labels[i])] : [];
    for (let c = 0; c < m.cols; c++) row.push(String(m.data[i * m.cols + c]));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Writes m as .npy or CSV, by extension. */
export async function writeMatrixFile(path: string, m: Matrix, options: { dtype?: 'f4' | 'f8'; columns?: string[]; labels?: string[] } = {}): Promise<void> {
  const format = formatOf(path);
  if (format === 'npy') await writeFileAtomic(path, formatNpy(m, options.dtype));
  else if (format === 'csv') await writeFileAtomic(path, formatCsv(m, options));
  else throw new MechLensError('unsupported', 'writing TSV is not supported', { input: path, fix: 'Write .npy or .csv.' });
}
