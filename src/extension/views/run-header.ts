// The job and title of a saved run, read from the start of the file only: runs can be tens of MB
// (similarity matrices), and the tree view lists hundreds. Results are written with schemaVersion,
// job and title first, so 4 KB holds them; a file written otherwise shows only its name.
import { closeSync, openSync, readSync } from 'node:fs';

interface RunHeader {
  job?: string;
  title?: string;
}

const headBytes = 4096;

export function parseRunHeader(head: string): RunHeader {
  const field = (name: string) => {
    const m = new RegExp(`"${name}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(head);
    if (!m) return undefined;
    try {
      return JSON.parse(`"${m[1]}"`) as string;
    } catch {
      return undefined;
    }
  };
  return { job: field('job'), title: field('title') };
}

export function readRunHeader(file: string): RunHeader {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(headBytes);
    const n = readSync(fd, buffer, 0, headBytes, 0);
    return parseRunHeader(buffer.subarray(0, n).toString('utf8'));
  } catch {
    return {};
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
