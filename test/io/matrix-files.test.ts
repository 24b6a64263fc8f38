import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readMatrixFile, parseDelimited, formatNpy, formatCsv, writeMatrixFile } from '../../src/core/io/matrix-files';
import { MechLensError } from '../../src/core/errors';

const fixtures = join(__dirname, 'fixtures');
const expected = Array.from({ length: 12 }, (_, i) => i / 4 - 1);

test('reads .npy files written by numpy: f4, f8, i4, i8, v2 and v3 headers, 1-D as a column', async () => {
  for (const name of ['f8', 'f4', 'v2', 'v3']) {
    const { matrix, format } = await readMatrixFile(join(fixtures, `${name}.npy`));
    assert.equal(format, 'npy');
    assert.deepEqual([matrix.rows, matrix.cols], [3, 4], name);
    assert.deepEqual(Array.from(matrix.data), expected, name);
  }
  assert.ok((await readMatrixFile(join(fixtures, 'f4.npy'))).matrix.data instanceof Float32Array);
  for (const name of ['i4', 'i8']) {
    const { matrix } = await readMatrixFile(join(fixtures, `${name}.npy`));
    assert.deepEqual(Array.from(matrix.data), expected.map((v) => Math.trunc(v * 4)), name);
  }
  const vector = (await readMatrixFile(join(fixtures, 'vector.npy'))).matrix;
  assert.deepEqual([vector.rows, vector.cols, Array.from(vector.data)], [3, 1, [1.5, -2, 3.25]]);
});

test('rejects .npy files it cannot read, naming the file and the fix', async () => {
  const cases: [string, RegExp][] = [
    ['fortran', /Fortran.*ascontiguousarray/],
    ['cube', /shape \(2, 2, 2\).*1 or 2 dimensions/],
    ['bigendian', /dtype ">f8" is not supported/],
    ['u1', /dtype "\|u1" is not supported/],
  ];
  for (const [name, message] of cases) {
    await assert.rejects(readMatrixFile(join(fixtures, `${name}.npy`)), (err: unknown) => {
      assert.ok(err instanceof MechLensError);
      assert.match(err.message, message);
      assert.match(err.message, new RegExp(`${name}\\.npy`));
      return true;
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'mechlens-'));
  writeFileSync(join(dir, 'junk.npy'), 'hello world');
  await assert.rejects(readMatrixFile(join(dir, 'junk.npy')), /junk\.npy: not a NumPy \.npy file/);
  const truncated = readFileSync(join(fixtures, 'f8.npy')).subarray(0, 150);
  writeFileSync(join(dir, 'short.npy'), truncated);
  await assert.rejects(readMatrixFile(join(dir, 'short.npy')), /truncated/);
  await assert.rejects(readMatrixFile(join(dir, 'missing.npy')), /missing\.npy: cannot read/);
  await assert.rejects(readMatrixFile(join(dir, 'x.bin')), /unknown matrix file type/);
});

test('writes .npy that numpy reads back exactly (f4 and f8)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mechlens-'));
  const m = { rows: 2, cols: 3, data: new Float64Array([0.1, -2, 3e-8, 4, 5.5, 1e10]) };
  writeFileSync(join(dir, 'a.npy'), formatNpy(m, 'f8'));
  writeFileSync(join(dir, 'b.npy'), formatNpy(m, 'f4'));
  const py = spawnSync('/usr/bin/python3', ['-c', `import numpy as np, json; a = np.load('${dir}/a.npy'); b = np.load('${dir}/b.npy'); print(json.dumps([a.shape, str(a.dtype), a.ravel().tolist(), str(b.dtype), b.astype(float).ravel().tolist()]))`], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const [shape, dtype, values, dtypeB, valuesB] = JSON.parse(py.stdout);
  assert.deepEqual(shape, [2, 3]);
  assert.equal(dtype, 'float64');
  assert.deepEqual(values, Array.from(m.data));
  assert.equal(dtypeB, 'float32');
  assert.deepEqual(valuesB, Array.from(Float32Array.from(m.data)));
});

test('CSV and TSV: header row, label column, quoting, blank lines, round trip', async () => {
  const csv = parseDelimited('x,y,z\n1,2,3\n\n4,5,6\n', ',', 'a.csv');
  assert.deepEqual([csv.matrix.rows, csv.matrix.cols, Array.from(csv.matrix.data)], [2, 3, [1, 2, 3, 4, 5, 6]]);
  assert.deepEqual(csv.columns, ['x', 'y', 'z']);
  const labelled = parseDelimited('word,a,b\n"new, york",1,2\ncat,3,4\n', ',', 'b.csv');
  assert.deepEqual(labelled.labels, ['new, york', 'cat']);
  assert.deepEqual(labelled.columns, ['a', 'b']);
  const tsv = parseDelimited('0.1\t0.2\n0.3\t0.4\n', '\t', 'v.tsv');
  assert.deepEqual(Array.from(tsv.matrix.data), [0.1, 0.2, 0.3, 0.4]);
  const dir = mkdtempSync(join(tmpdir(), 'mechlens-'));
  await writeMatrixFile(join(dir, 'out.csv'), csv.matrix, { columns: ['x', 'y', 'z'], labels: ['p', 'q'] });
  const back = await readMatrixFile(join(dir, 'out.csv'));
  assert.deepEqual(Array.from(back.matrix.data), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(back.labels, ['p', 'q']);
  assert.equal(formatCsv({ rows: 1, cols: 2, data: new Float64Array([1.5, -2]) }), '1.5,-2\n');
});

test('Embedding Projector TSV with metadata (one column without header, several with header)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mechlens-'));
  writeFileSync(join(dir, 'vectors.tsv'), '1\t2\n3\t4\n5\t6\n');
  writeFileSync(join(dir, 'meta1.tsv'), 'apple\npear\nplum\n');
  writeFileSync(join(dir, 'meta2.tsv'), 'word\tcategory\napple\tfruit\ncar\tthing\nplum\tfruit\n');
  writeFileSync(join(dir, 'meta-bad.tsv'), 'apple\npear\n');
  const one = await readMatrixFile(join(dir, 'vectors.tsv'), { metadataPath: join(dir, 'meta1.tsv') });
  assert.equal(one.format, 'tsv');
  assert.deepEqual(one.labels, ['apple', 'pear', 'plum']);
  const two = await readMatrixFile(join(dir, 'vectors.tsv'), { metadataPath: join(dir, 'meta2.tsv') });
  assert.deepEqual(two.labels, ['apple', 'car', 'plum']);
  await assert.rejects(readMatrixFile(join(dir, 'vectors.tsv'), { metadataPath: join(dir, 'meta-bad.tsv') }), /meta-bad\.tsv:2: metadata has 2 rows but the matrix has 3/);
});

test('bad text matrices fail with the file and line', () => {
  assert.throws(() => parseDelimited('1,2,3\n4,5\n', ',', 'ragged.csv'), /^Error: ragged\.csv:2: row has 2 values, expected 3|ragged\.csv:2: row has 2 values, expected 3/);
  assert.throws(() => parseDelimited('1,2\n3,abc\n', ',', 'text.csv'), /text\.csv:2: value "abc" in column 2 is not a number/);
  assert.throws(() => parseDelimited('\n\n', ',', 'empty.csv'), /empty\.csv: no rows of numbers/);
});

test("statistics: column means and the total sum of squares equal numpy's, summed as a file over 16 MB arrives in chunks; f8, f2, CSV; a NaN in a later chunk names its row and column", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mechlens-'));
  // 5,000 × 1,000 float32 (20 MB: two chunks, the second starting mid-row), columns far from zero.
  const script = `
import json, numpy as np
rng = np.random.default_rng(3)
big = (rng.normal(size=(5000, 1000)) * rng.uniform(0.1, 3, 1000) + rng.uniform(-500, 500, 1000)).astype("<f4")
np.save("${dir}/big.npy", big)
small = rng.normal(size=(7, 5)) + 10
np.save("${dir}/f8.npy", small)
np.save("${dir}/f2.npy", small.astype("<f2"))
np.savetxt("${dir}/s.csv", small, delimiter=",")
bad = big.copy(); bad[4321, 17] = np.nan
np.save("${dir}/bad.npy", bad)
def stats(x):
    x = x.astype(np.float64); m = x.mean(0)
    return {"mean": m.tolist(), "squares": float(((x - m) ** 2).sum())}
print(json.dumps({"big": stats(big), "f8": stats(small), "f2": stats(small.astype("<f2"))}))`;
  const py = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const numpy = JSON.parse(py.stdout);
  const check = (statistics: { mean: Float64Array; squares: number } | undefined, reference: { mean: number[]; squares: number }, what: string) => {
    assert.ok(statistics, `${what}: statistics`);
    assert.equal(statistics.mean.length, reference.mean.length);
    for (let c = 0; c < reference.mean.length; c++) assert.ok(Math.abs(statistics.mean[c] - reference.mean[c]) <= 1e-12 * (1 + Math.abs(reference.mean[c])), `${what} mean ${c}: ${statistics.mean[c]} vs ${reference.mean[c]}`);
    assert.ok(Math.abs(statistics.squares - reference.squares) <= 1e-10 * reference.squares, `${what} squares: ${statistics.squares} vs ${reference.squares}`);
  };
  const big = await readMatrixFile(join(dir, 'big.npy'), { statistics: true });
  assert.ok(big.matrix.data instanceof Float32Array && big.matrix.rows === 5000);
  check(big.statistics, numpy.big, 'big.npy');
  check((await readMatrixFile(join(dir, 'f8.npy'), { statistics: true })).statistics, numpy.f8, 'f8.npy');
  check((await readMatrixFile(join(dir, 'f2.npy'), { statistics: true })).statistics, numpy.f2, 'f2.npy (widened after the read, then summed)');
  check((await readMatrixFile(join(dir, 's.csv'), { statistics: true })).statistics, numpy.f8, 's.csv');
  assert.equal((await readMatrixFile(join(dir, 'f8.npy'))).statistics, undefined, 'only when asked for');
  for (const statistics of [true, false]) {
    await assert.rejects(readMatrixFile(join(dir, 'bad.npy'), { statistics }), (err: unknown) => {
      assert.ok(err instanceof MechLensError);
      assert.match(err.message, /bad\.npy: value NaN at row 4322, column 18 is not a finite number/);
      return true;
    });
  }
});
