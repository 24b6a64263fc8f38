// safetensors: an 8-byte little-endian header length, a JSON header, then the raw tensor bytes.
// Opening reads only the header, so a 6 GB checkpoint opens in microseconds; tensors are read one
// at a time, by absolute file offset (the same offsets the ONNX graph uses as external data).
import fs from 'node:fs';
import { MechLensError } from '../errors';
import { openAtomicFile } from '../io/atomic-write';
import { f16ToF32 } from '../io/half-float';

/** Bytes per element of every dtype the safetensors format defines. */
export const SAFETENSORS_DTYPE_BYTES = Object.freeze({
  F64: 8, F32: 4, F16: 2, BF16: 2,
  I64: 8, I32: 4, I16: 2, I8: 1,
  U64: 8, U32: 4, U16: 2, U8: 1,
  BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
} as const);

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;

/** The dtypes readTensorF32 converts; the others parse but cannot be used as weights. */
export const FLOAT_DTYPES: readonly SafetensorsDtype[] = Object.freeze(['F32', 'F16', 'BF16', 'F64'] as SafetensorsDtype[]);

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte offset in the file of the first byte of the tensor. */
  begin: number;
  /** Absolute byte offset one past the last byte. */
  end: number;
}

export interface SafetensorsFile {
  path: string;
  /** Length of the JSON header in bytes (as stored in the first 8 bytes). */
  headerLength: number;
  /** Absolute byte offset of the data section: 8 + headerLength. */
  dataStart: number;
  /** File size in bytes when opened. */
  fileSize: number;
  /** The optional `__metadata__` string map. */
  metadata: Record<string, string>;
  /** In header order. */
  tensors: Map<string, TensorInfo>;
}

/** The safetensors reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;

const NOT_SAFETENSORS_FIX = 'The file is damaged or not a safetensors file: download it again (delete it from the cache) or re-export the checkpoint with safetensors.';

export function openSafetensors(filePath: string): SafetensorsFile {
  let fd: number;
  try {
    fd = fs.openSync(filePath, 'r');
  } catch (err) {
    throw new MechLensError('not-found', `Cannot open safetensors file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      input: filePath, fix: 'Check that the checkpoint folder contains this file.', cause: err,
    });
  }
  try {
    const fileSize = fs.fstatSync(fd).size;
    if (fileSize < 8) {
      throw formatError(filePath, `File is ${fileSize} bytes, shorter than the 8-byte header length`);
    }
    const lengthBytes = Buffer.alloc(8);
    fs.readSync(fd, lengthBytes, 0, 8, 0);
    const headerLength64 = lengthBytes.readBigUInt64LE(0);
    if (headerLength64 > BigInt(fileSize - 8)) {
      throw formatError(filePath, `Header length ${headerLength64} is longer than the file (${fileSize} bytes)`);
    }
    const headerLength = Number(headerLength64);
    if (headerLength > MAX_HEADER_BYTES) {
      throw formatError(filePath, `Header length ${headerLength} exceeds the 100 MB limit of the format`);
    }
    const headerBytes = Buffer.alloc(headerLength);
    fs.readSync(fd, headerBytes, 0, headerLength, 8);
    const dataStart = 8 + headerLength;
    const parsed = parseHeader(filePath, headerBytes, dataStart, fileSize);
    return { path: filePath, headerLength, dataStart, fileSize, metadata: parsed.metadata, tensors: parsed.tensors };
  } finally {
    fs.closeSync(fd);
  }
}

function parseHeader(filePath: string, headerBytes: Buffer, dataStart: number, fileSize: number) {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (err) {
    throw formatError(filePath, `Header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw formatError(filePath, 'Header is not a JSON object');
  }
  const dataLength = fileSize - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw formatError(filePath, '__metadata__ is not a string map');
      }
      for (const [k, v] of Object.entries(entry)) if (typeof v === 'string') metadata[k] = v;
      continue;
    }
    tensors.set(name, parseEntry(filePath, name, entry, dataStart, dataLength));
  }
  checkNoOverlap(filePath, tensors);
  return { metadata, tensors };
}

function parseEntry(filePath: string, name: string, entry: unknown, dataStart: number, dataLength: number): TensorInfo {
  const bad = (what: string, fix = NOT_SAFETENSORS_FIX) =>
    new MechLensError('format', `Tensor "${name}": ${what}`, { input: filePath, fix });
  if (typeof entry !== 'object' || entry === null) throw bad('header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Object.hasOwn(SAFETENSORS_DTYPE_BYTES, dtype)) {
    throw new MechLensError('unsupported', `Tensor "${name}" has dtype ${JSON.stringify(dtype)}, which is not a safetensors dtype MechLens knows (${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')})`, {
      input: filePath, fix: 'Convert the checkpoint to F32, F16 or BF16 (for example with torch: model.float().save_pretrained(dir, safe_serialization=True)).',
    });
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw bad(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw bad(`data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
  }
  const [relBegin, relEnd] = offsets as [number, number];
  if (relEnd < relBegin) throw bad(`data_offsets [${relBegin}, ${relEnd}] end before they begin`);
  if (relEnd > dataLength) {
    throw bad(`data_offsets [${relBegin}, ${relEnd}] run past the end of the data (${dataLength} bytes): the file is truncated or its header is wrong`);
  }
  const elementBytes = SAFETENSORS_DTYPE_BYTES[dtype as SafetensorsDtype];
  const expectedBytes = (shape as number[]).reduce((a, b) => a * b, 1) * elementBytes;
  if (relEnd - relBegin !== expectedBytes) {
    throw bad(`shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${expectedBytes} bytes but data_offsets [${relBegin}, ${relEnd}] hold ${relEnd - relBegin}`);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], begin: dataStart + relBegin, end: dataStart + relEnd };
}

function checkNoOverlap(filePath: string, tensors: Map<string, TensorInfo>): void {
  const sorted = [...tensors.values()].filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (cur.begin < prev.end) {
      throw new MechLensError('format', `Tensors "${prev.name}" and "${cur.name}" overlap (bytes ${prev.begin}-${prev.end} and ${cur.begin}-${cur.end})`, {
        input: filePath, fix: NOT_SAFETENSORS_FIX,
      });
    }
  }
}

function formatError(filePath: string, what: string): MechLensError {
  return new MechLensError('format', what, { input: filePath, fix: NOT_SAFETENSORS_FIX });
}

export function tensorInfo(file: SafetensorsFile, name: string): TensorInfo {
  const info = file.tensors.get(name);
  if (!info) {
    throw new MechLensError('not-found', `No tensor named "${name}"`, {
      input: file.path, fix: `The file has ${file.tensors.size} tensors, e.g. ${[...file.tensors.keys()].slice(0, 3).join(', ')}.`,
    });
  }
  return info;
}

/** The raw bytes of one tensor, in a fresh 8-byte-aligned buffer (so typed-array views need no copy). */
export function readTensorBytes(file: SafetensorsFile, name: string): Uint8Array {
  const info = tensorInfo(file, name);
  const length = info.end - info.begin;
  // allocUnsafeSlow: an own, unpooled ArrayBuffer (offset 0, so float views need no copy) that is
  // not zero-filled first; every byte is overwritten by the read below.
  const bytes = new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
  const fd = fs.openSync(file.path, 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, bytes, done, Math.min(length - done, 1 << 30), info.begin + done);
      if (n === 0) {
        throw new MechLensError('format', `Tensor "${name}": file ended after ${done} of ${length} bytes`, {
          input: file.path, fix: 'The file changed or was truncated since it was opened: download it again.',
        });
      }
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

/**
 * One tensor as float32. F32 is a view over the bytes read (no second copy); F16, BF16 and F64 are
 * converted. Little-endian byte order is assumed, as on every platform Node runs on.
 */
export function readTensorF32(file: SafetensorsFile, name: string): Float32Array {
  const info = tensorInfo(file, name);
  const count = info.shape.reduce((a, b) => a * b, 1);
  if (!(FLOAT_DTYPES as readonly string[]).includes(info.dtype)) {
    throw new MechLensError('unsupported', `Tensor "${name}" has dtype ${info.dtype}; weights must be F32, F16, BF16 or F64`, {
      input: file.path, fix: 'Convert the checkpoint to a floating-point dtype (model.float().save_pretrained(dir)).',
    });
  }
  const bytes = readTensorBytes(file, name);
  switch (info.dtype) {
    case 'F32': return new Float32Array(bytes.buffer, 0, count);
    case 'F16': return f16ToF32(new Uint16Array(bytes.buffer, 0, count));
    case 'BF16': return bf16ToF32(new Uint16Array(bytes.buffer, 0, count));
    default: return Float32Array.from(new Float64Array(bytes.buffer, 0, count));
  }
}

// IEEE half -> float32 lives in core/io (the .npy reader needs it too, and io is below models).
export { f16ToF32 };

/**
 * bfloat16 is the top half of a float32: a shift, no rounding. Little-endian 32-bit words hold two
 * values (low half first), so one load gives two outputs: `word << 16` and `word & 0xffff0000`.
 * Int32Array output: `x << 16` is an int32, so the store needs no conversion to an unsigned number.
 */
export function bf16ToF32(bits: Uint16Array): Float32Array {
  const n = bits.length;
  const out = new Int32Array(n);
  let i = 0;
  if (bits.byteOffset % 4 === 0) {
    const words = new Int32Array(bits.buffer, bits.byteOffset, n >> 1);
    for (let w = 0; w < words.length; w++, i += 2) {
      const v = words[w];
      out[i] = v << 16;
      out[i + 1] = v & -65536;
    }
  }
  for (; i < n; i++) out[i] = bits[i] << 16;
  return new Float32Array(out.buffer);
}

/** float32 -> IEEE half bits, rounding to nearest even (as numpy's astype(float16)). */
export function f32ToF16(values: Float32Array): Uint16Array {
  const u32 = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f32BitsToF16(u32[i]);
  return out;
}

function f32BitsToF16(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let result = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && (result & 1))) result++;
    return sign | result;
  }
  let result = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent, up to infinity.
  if (rest > 0x1000 || (rest === 0x1000 && (result & 1))) result++;
  return sign | result;
}

/** float32 -> bfloat16 bits, rounding to nearest even (as torch's .to(torch.bfloat16)). */
export function f32ToBf16(values: Float32Array): Uint16Array {
  const u32 = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = u32[i];
    if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff)) { out[i] = (x >>> 16) | 0x40; continue; }
    out[i] = ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}

export type TensorData = Float32Array | Uint16Array;

export interface TensorToWrite {
  dtype: 'F32' | 'F16' | 'BF16';
  shape: number[];
  /**
   * Float32Array values (converted to F16/BF16 when dtype asks), or raw 16-bit words for F16/BF16.
   * A function is called only when the tensor is written, so a large checkpoint is never whole in memory.
   */
  data: TensorData | (() => TensorData);
}

/**
 * Writes a safetensors file the way Hugging Face does: header padded with spaces to a multiple of
 * 8 bytes, tensors packed back to back in the order given. Written atomically (atomic-write.ts).
 */
export function writeSafetensors(filePath: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): void {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPE_BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((8 - (Buffer.byteLength(headerText) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const lengthBytes = Buffer.alloc(8);
  lengthBytes.writeBigUInt64LE(BigInt(headerBytes.length));

  const out = openAtomicFile(filePath);
  try {
    out.write(lengthBytes);
    out.write(headerBytes);
    for (const [name, t] of Object.entries(tensors)) {
      const encoded = encodeTensor(name, t);
      out.write(new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength));
    }
  } catch (err) {
    out.abort();
    throw err;
  }
  out.commit();
}

function encodeTensor(name: string, t: TensorToWrite): TensorData {
  const data = typeof t.data === 'function' ? t.data() : t.data;
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new RangeError(`writeSafetensors: tensor "${name}" has ${data.length} values but shape [${t.shape.join(', ')}] needs ${count}`);
  }
  if (t.dtype === 'F32') {
    if (!(data instanceof Float32Array)) throw new TypeError(`writeSafetensors: F32 tensor "${name}" needs a Float32Array`);
    return data;
  }
  if (data instanceof Uint16Array) return data;
  return t.dtype === 'F16' ? f32ToF16(data) : f32ToBf16(data);
}
