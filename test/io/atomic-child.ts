// Writes a large JSON result over `target` with the CLI's writer and stops for good halfway
// through (after more than a megabyte has gone to disk), so the parent test can kill it mid-write.
import { writeJsonFileSync } from '../../src/core/io/json-stream';

const target = process.argv[2];
const rows = Array.from({ length: 400 }, (_, i) => Array.from({ length: 1000 }, (_, j) => i + j / 1000));
writeJsonFileSync(target, {
  schemaVersion: 1,
  similarity: rows,
  stop: {
    toJSON() {
      process.stdout.write('mid\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // blocks until killed
      return null;
    },
  },
});
