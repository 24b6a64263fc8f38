import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { MechLensError } from '../../src/core/errors';
import {
  bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, openSafetensors, readTensorBytes, readTensorF32, writeSafetensors,
} from '../../src/core/models/safetensors';

// Made by test/fixtures/checkpoint/make_fixtures.py with numpy and torch.
const fixtures = path.join(__dirname, '../fixtures/checkpoint');
const halves = JSON.parse(fs.readFileSync(path.join(fixtures, 'halves.json'), 'utf8')) as Record<string, number[]>;
const reference = JSON.parse(fs.readFileSync(path.join(fixtures, 'reference.json'), 'utf8')) as {
  headerLength: number; metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; begin?: number; f32?: number[] }>;
};

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
const bitsToF32 = (bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);
const f32ToBits = (values: Float32Array) => [...new Uint32Array(values.buffer, values.byteOffset, values.length)];

/** A safetensors file from a raw header object and a data section, for malformed cases. */
function writeRaw(header: unknown, dataBytes: number, options: { headerText?: string; lengthOverride?: bigint } = {}): string {
  const file = path.join(tmp(), 'model.safetensors');
  const text = Buffer.from(options.headerText ?? JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(options.lengthOverride ?? BigInt(text.length));
  fs.writeFileSync(file, Buffer.concat([length, text, Buffer.alloc(dataBytes)]));
  return file;
}

function assertFormatError(fn: () => unknown, pattern: RegExp, file: string) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MechLensError, `expected MechLensError, got ${String(err)}`);
    assert.match(err.message, pattern);
    assert.ok(err.message.includes(file), `message names the file: ${err.message}`);
    assert.ok(err.fix && err.fix.length > 10, 'message says what to do');
    return true;
  });
}

test('reads a safetensors file written independently by Python: header, offsets, F32/F16/BF16 values bit for bit', () => {
  const file = openSafetensors(path.join(fixtures, 'reference.safetensors'));
  assert.equal(file.headerLength, reference.headerLength);
  assert.equal(file.dataStart, 8 + reference.headerLength);
  assert.deepEqual(file.metadata, reference.metadata);
  assert.deepEqual([...file.tensors.keys()], Object.keys(reference.tensors));
  for (const [name, expected] of Object.entries(reference.tensors)) {
    const info = file.tensors.get(name)!;
    assert.equal(info.dtype, expected.dtype);
    assert.deepEqual(info.shape, expected.shape);
    if (expected.begin !== undefined) assert.equal(info.begin, expected.begin);
    if (expected.f32) assert.deepEqual(f32ToBits(readTensorF32(file, name)), expected.f32, name);
  }
  assert.deepEqual([...new BigInt64Array(readTensorBytes(file, 'd').buffer)], [0n, 1n, 2n, 3n, 4n, 5n]);
  assert.throws(() => readTensorF32(file, 'd'), /dtype I64; weights must be F32, F16, BF16/);
  assert.throws(() => readTensorF32(file, 'nope'), /No tensor named "nope"/);
});

test('float32 -> float16 matches numpy and float32 -> bfloat16 matches torch, including ties, subnormals and overflow', () => {
  const values = bitsToF32(halves.values);
  assert.deepEqual([...f32ToF16(values)], halves.f16);
  assert.deepEqual([...f32ToBf16(values)], halves.bf16);
});

test('float16 and bfloat16 bits -> float32 match numpy and torch (NaN stays NaN)', () => {
  const patterns = Uint16Array.from(halves.patterns);
  for (const [convert, expected] of [[f16ToF32, halves.f16ToF32], [bf16ToF32, halves.bf16ToF32]] as const) {
    const got = convert(patterns);
    const want = bitsToF32(expected);
    for (let i = 0; i < patterns.length; i++) {
      if (Number.isNaN(want[i])) assert.ok(Number.isNaN(got[i]), `pattern ${patterns[i]}`);
      else assert.equal(f32ToBits(got.subarray(i, i + 1))[0], expected[i], `pattern 0x${patterns[i].toString(16)}`);
    }
  }
});

test('writeSafetensors round-trips F32, F16 and BF16 with an 8-byte-aligned header and the given metadata', () => {
  const dir = tmp();
  const values = Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 7);
  const file = path.join(dir, 'x.safetensors');
  writeSafetensors(file, {
    f32: { dtype: 'F32', shape: [3, 4], data: values },
    f16: { dtype: 'F16', shape: [12], data: values },
    bf16: { dtype: 'BF16', shape: [2, 6], data: () => f32ToBf16(values) },
    empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
  }, { format: 'pt' });
  const st = openSafetensors(file);
  assert.equal(st.headerLength % 8, 0);
  assert.deepEqual(st.metadata, { format: 'pt' });
  assert.deepEqual(readTensorF32(st, 'f32'), values);
  assert.deepEqual(readTensorF32(st, 'f16'), f16ToF32(f32ToF16(values)));
  assert.deepEqual(readTensorF32(st, 'bf16'), bf16ToF32(f32ToBf16(values)));
  assert.equal(readTensorF32(st, 'empty').length, 0);
  assert.equal(fs.existsSync(`${file}.tmp`), false);
  assert.throws(() => writeSafetensors(file, { bad: { dtype: 'F32', shape: [5], data: values } }), /has 12 values but shape \[5\] needs 5/);
});

test('a header longer than the file is refused, naming the file', () => {
  const file = writeRaw({}, 0, { lengthOverride: 10_000n });
  assertFormatError(() => openSafetensors(file), /Header length 10000 is longer than the file/, file);
  const tiny = path.join(tmp(), 'tiny.safetensors');
  fs.writeFileSync(tiny, Buffer.from([1, 2, 3]));
  assertFormatError(() => openSafetensors(tiny), /shorter than the 8-byte header length/, tiny);
  const huge = writeRaw({}, 0, { lengthOverride: 0xffff_ffff_ffff_ffffn });
  assertFormatError(() => openSafetensors(huge), /longer than the file/, huge);
});

test('offsets that overlap or run past the end are refused, naming the tensors', () => {
  const overlapping = writeRaw({
    a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
    b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
  }, 24);
  assertFormatError(() => openSafetensors(overlapping), /Tensors "a" and "b" overlap/, overlapping);
  const pastEnd = writeRaw({ w: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }, 16);
  assertFormatError(() => openSafetensors(pastEnd), /Tensor "w": data_offsets \[0, 32\] run past the end of the data \(16 bytes\)/, pastEnd);
  const backwards = writeRaw({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, 16);
  assertFormatError(() => openSafetensors(backwards), /end before they begin/, backwards);
});

test('an unknown dtype, a shape that does not fit its bytes, and a header that is not JSON are refused', () => {
  const dtype = writeRaw({ w: { dtype: 'Q4_K', shape: [4], data_offsets: [0, 16] } }, 16);
  assert.throws(() => openSafetensors(dtype), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.equal(err.code, 'unsupported');
    assert.match(err.message, /Tensor "w" has dtype "Q4_K"/);
    assert.match(err.message, /Convert the checkpoint to F32, F16 or BF16/);
    return true;
  });
  const mismatch = writeRaw({ w: { dtype: 'F16', shape: [3, 4], data_offsets: [0, 16] } }, 16);
  assertFormatError(() => openSafetensors(mismatch), /shape \[3, 4\] of F16 needs 24 bytes but data_offsets \[0, 16\] hold 16/, mismatch);
  const notJson = writeRaw(null, 0, { headerText: '{"w": {"dtype": "F32", ' });
  assertFormatError(() => openSafetensors(notJson), /Header is not valid UTF-8 JSON/, notJson);
  const badShape = writeRaw({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, 0);
  assertFormatError(() => openSafetensors(badShape), /shape \[-1\] is not a list of non-negative integers/, badShape);
  const missing = path.join(tmp(), 'absent.safetensors');
  assert.throws(() => openSafetensors(missing), /absent\.safetensors: Cannot open safetensors file \(ENOENT\)/);
});

test('property: any bytes, or any mutation of a valid header, either open or throw MechLensError', () => {
  const dir = tmp();
  const valid = path.join(dir, 'valid.safetensors');
  writeSafetensors(valid, { a: { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) }, b: { dtype: 'F16', shape: [5], data: new Uint16Array(5) } });
  const validBytes = fs.readFileSync(valid);
  const target = path.join(dir, 'fuzz.safetensors');
  const check = (bytes: Uint8Array) => {
    fs.writeFileSync(target, bytes);
    try {
      const file = openSafetensors(target);
      for (const info of file.tensors.values()) {
        assert.ok(info.begin >= file.dataStart && info.end <= file.fileSize && info.begin <= info.end);
        if (['F32', 'F16', 'BF16', 'F64'].includes(info.dtype)) readTensorF32(file, info.name);
      }
    } catch (err) {
      if (!(err instanceof MechLensError)) throw err;
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => check(bytes)), { numRuns: 150 });
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(validBytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
    const bytes = Uint8Array.from(validBytes);
    for (const [at, value] of edits) bytes[at] = value;
    check(bytes);
  }), { numRuns: 250 });
  fc.assert(fc.property(fc.nat(validBytes.length), (cut) => check(validBytes.subarray(0, cut))), { numRuns: 100 });
});
