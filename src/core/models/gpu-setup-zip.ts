// A minimal reader for .zip files (a .nupkg is one): the central directory, then stored or
// deflated entries, CRC-checked. Enough to take two shared libraries out of a NuGet package
// without a zip dependency. ZIP64 archives (over 4 GB or 65,535 entries) are refused.
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
    const count = tail.readUInt16LE(eocd + 10);
    const dirSize = tail.readUInt32LE(eocd + 12);
    const dirOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || dirOffset === 0xffffffff) throw notZip(file, 'ZIP64 archives are not supported');
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
      entries.push({
        method: dir.readUInt16LE(p + 10),
        crc32: dir.readUInt32LE(p + 16),
        compressedSize: dir.readUInt32LE(p + 20),
        size: dir.readUInt32LE(p + 24),
        localHeaderOffset: dir.readUInt32LE(p + 42),
        name: dir.toString('utf8', p + 46, p + 46 + nameLength),
      });
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    fs.closeSync(fd);
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
    const compressed = Buffer.alloc(entry.compressedSize);
    fs.readSync(fd, compressed, 0, entry.compressedSize, dataStart);
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
  return new MechLensError('format', `is not a readable zip/NuGet package: ${why}`, { input: file, fix: 'Delete the file so that it is downloaded again.' });
}
