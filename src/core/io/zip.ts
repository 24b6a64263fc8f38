// A minimal reader for .zip files: the central directory, then stored or deflated entries,
// CRC-checked. Enough to take two shared libraries out of a NuGet package (a .nupkg is a zip) and
// the arrays out of numpy's .npz (Gemma Scope's params.npz) without a zip dependency. ZIP64 sizes
// and offsets are read (numpy writes every member with a ZIP64 extra, and Gemma Scope's wider SAEs
// pass 4 GB); one entry must fit in one Buffer.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { MechLensError } from '../errors';

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

export function listZipEntries(file: string): ZipEntry[] {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    // The end record is 22 bytes plus a comment of up to 65,535 bytes.
    const tailLength = Math.min(size, 22 + 65535);
    const tail = Buffer.alloc(tailLength);
    fs.readSync(fd, tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) { eocd = i; break; }
    }
    if (eocd < 0) throw notZip(file, 'no end-of-central-directory record');
    let count = tail.readUInt16LE(eocd + 10);
    let dirSize = tail.readUInt32LE(eocd + 12);
    let dirOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
      ({ count, dirSize, dirOffset } = readZip64End(fd, file, size - tailLength + eocd));
    }
    if (dirOffset + dirSize > size) throw notZip(file, 'the central directory lies past the end of the file');
    const dir = Buffer.alloc(dirSize);
    fs.readSync(fd, dir, 0, dirSize, dirOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw notZip(file, `central directory entry ${i} is damaged`);
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      const entry: ZipEntry = {
        method: dir.readUInt16LE(p + 10),
        crc32: dir.readUInt32LE(p + 16),
        compressedSize: dir.readUInt32LE(p + 20),
        size: dir.readUInt32LE(p + 24),
        localHeaderOffset: dir.readUInt32LE(p + 42),
        name: dir.toString('utf8', p + 46, p + 46 + nameLength),
      };
      applyZip64Extra(entry, dir.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
      entries.push(entry);
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    fs.closeSync(fd);
  }
}

const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_END_SIGNATURE = 0x06064b50;
const ZIP64_EXTRA_ID = 0x0001;

/** The ZIP64 end record, found through the locator just before the classic end record. */
function readZip64End(fd: number, file: string, eocdOffset: number): { count: number; dirSize: number; dirOffset: number } {
  const locator = Buffer.alloc(20);
  if (eocdOffset < 20) throw notZip(file, 'a ZIP64 archive without its locator');
  fs.readSync(fd, locator, 0, 20, eocdOffset - 20);
  if (locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE) throw notZip(file, 'a ZIP64 archive without its locator');
  const endOffset = Number(locator.readBigUInt64LE(8));
  const end = Buffer.alloc(56);
  fs.readSync(fd, end, 0, 56, endOffset);
  if (end.readUInt32LE(0) !== ZIP64_END_SIGNATURE) throw notZip(file, 'the ZIP64 end record is damaged');
  return { count: Number(end.readBigUInt64LE(32)), dirSize: Number(end.readBigUInt64LE(40)), dirOffset: Number(end.readBigUInt64LE(48)) };
}

/** Replaces the 32-bit fields saturated at 0xffffffff with the 64-bit values of the ZIP64 extra field, in its order. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let q = 0; q + 4 <= extra.length;) {
    const id = extra.readUInt16LE(q), length = extra.readUInt16LE(q + 2);
    if (id === ZIP64_EXTRA_ID) {
      let r = q + 4;
      const next = () => { const v = Number(extra.readBigUInt64LE(r)); r += 8; return v; };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    q += 4 + length;
  }
}

/** The uncompressed bytes of one entry, CRC-checked. */
export function readZipEntry(file: string, entry: ZipEntry): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const local = Buffer.alloc(30);
    fs.readSync(fd, local, 0, 30, entry.localHeaderOffset);
    if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw notZip(file, `local header of ${entry.name} is damaged`);
    const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    // allocUnsafeSlow: an own ArrayBuffer at offset 0, every byte overwritten by the reads below.
    const compressed = Buffer.allocUnsafeSlow(entry.compressedSize);
    for (let done = 0; done < entry.compressedSize;) {
      const n = fs.readSync(fd, compressed, done, Math.min(entry.compressedSize - done, 1 << 30), dataStart + done);
      if (n === 0) throw notZip(file, `${entry.name} is cut off`);
      done += n;
    }
    let data: Buffer;
    if (entry.method === 0) data = compressed;
    else if (entry.method === 8) data = zlib.inflateRawSync(compressed);
    else throw notZip(file, `${entry.name} uses compression method ${entry.method}; only stored and deflate are supported`);
    if (data.length !== entry.size || crc32(data) !== entry.crc32) throw notZip(file, `${entry.name} fails its CRC check`);
    return data;
  } finally {
    fs.closeSync(fd);
  }
}

export function crc32(data: Uint8Array): number {
  const native = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  if (native) return native(data) >>> 0;
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    c ^= data[i];
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

function notZip(file: string, why: string): MechLensError {
  return new MechLensError('format', `is not a readable zip archive (.zip, .npz or NuGet package): ${why}`, { input: file, fix: 'Delete the file so that it is downloaded again.' });
}
