import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { downloadFile } from '../../src/core/io/download';
import { MechLensError } from '../../src/core/errors';
import { startServer } from './http-fixture';

const body = randomBytes(300_000);
const sha = createHash('sha256').update(body).digest('hex');
const fast = { retryDelayMs: 5 };

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-dl-'));
}

test('plain download writes the file, verifies it and leaves no .part', async () => {
  const server = await startServer({ '/f.bin': { body } });
  try {
    const dest = path.join(tmp(), 'sub', 'f.bin');
    const seen: number[] = [];
    const r = await downloadFile(`${server.url}/f.bin`, dest, { sha256: sha, expectedSize: body.length, onProgress: (n) => seen.push(n), ...fast });
    assert.deepEqual(fs.readFileSync(dest), body);
    assert.equal(r.bytes, body.length);
    assert.equal(r.sha256, sha);
    assert.equal(r.resumed, false);
    assert.equal(fs.existsSync(dest + '.part'), false);
    assert.equal(seen.at(-1), body.length);
  } finally {
    await server.close();
  }
});

test('a connection dropped mid-file is resumed with a Range request', async () => {
  const server = await startServer({ '/f.bin': { body, dropAfter: 100_000, dropTimes: 1 } });
  try {
    const dest = path.join(tmp(), 'f.bin');
    const r = await downloadFile(`${server.url}/f.bin`, dest, { sha256: sha, ...fast });
    assert.deepEqual(fs.readFileSync(dest), body);
    assert.equal(r.resumed, true);
    assert.equal(server.requests.length, 2);
    assert.match(server.requests[1].range ?? '', /^bytes=\d+-$/);
    // How much of the 100,000 bytes arrives before the reset depends on the machine's load; what
    // matters is that the resume starts where the kept part ends, past zero and not past the drop.
    const resumedAt = Number(/\d+/.exec(server.requests[1].range!)![0]);
    assert.ok(resumedAt > 0 && resumedAt <= 100_000, `resumed at ${resumedAt}`);
  } finally {
    await server.close();
  }
});

test('an existing .part from an earlier run is resumed', async () => {
  const server = await startServer({ '/f.bin': { body } });
  try {
    const dest = path.join(tmp(), 'f.bin');
    fs.writeFileSync(dest + '.part', body.subarray(0, 123_456));
    const r = await downloadFile(`${server.url}/f.bin`, dest, { sha256: sha, expectedSize: body.length, ...fast });
    assert.equal(r.resumed, true);
    assert.equal(server.requests[0].range, 'bytes=123456-');
    assert.deepEqual(fs.readFileSync(dest), body);
  } finally {
    await server.close();
  }
});

test('a complete .part is verified without downloading, and 416 for a complete part is accepted', async () => {
  const server = await startServer({ '/f.bin': { body } });
  try {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.bin.part'), body);
    await downloadFile(`${server.url}/f.bin`, path.join(dir, 'a.bin'), { sha256: sha, expectedSize: body.length });
    assert.equal(server.requests.length, 0);
    fs.writeFileSync(path.join(dir, 'b.bin.part'), body);
    await downloadFile(`${server.url}/f.bin`, path.join(dir, 'b.bin'), { sha256: sha });
    assert.deepEqual(fs.readFileSync(path.join(dir, 'b.bin')), body);
  } finally {
    await server.close();
  }
});

test('HTTP 500 then 200 retries and succeeds', async () => {
  const server = await startServer({ '/f.bin': { body, failFirst: 2 } });
  try {
    const dest = path.join(tmp(), 'f.bin');
    await downloadFile(`${server.url}/f.bin`, dest, { sha256: sha, ...fast });
    assert.deepEqual(fs.readFileSync(dest), body);
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});

test('persistent 500 gives up with a clear error after the retries', async () => {
  const server = await startServer({ '/f.bin': { body, failFirst: 100 } });
  try {
    const dest = path.join(tmp(), 'f.bin');
    await assert.rejects(downloadFile(`${server.url}/f.bin`, dest, { retries: 2, ...fast }), (e: unknown) => {
      assert.ok(e instanceof MechLensError);
      assert.equal(e.code, 'download');
      assert.match(e.message, /failed after 3 attempts: HTTP 500/);
      return true;
    });
    assert.equal(fs.existsSync(dest), false);
  } finally {
    await server.close();
  }
});

test('a server without Range support restarts from zero and still gives the right file', async () => {
  const server = await startServer({ '/f.bin': { body, range: false, dropAfter: 50_000, dropTimes: 1 } });
  try {
    const dest = path.join(tmp(), 'f.bin');
    const r = await downloadFile(`${server.url}/f.bin`, dest, { sha256: sha, ...fast });
    assert.deepEqual(fs.readFileSync(dest), body);
    assert.equal(r.resumed, false);
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});

test('a sha256 mismatch removes the download and says so', async () => {
  const server = await startServer({ '/f.bin': { body } });
  try {
    const dest = path.join(tmp(), 'f.bin');
    await assert.rejects(downloadFile(`${server.url}/f.bin`, dest, { sha256: '0'.repeat(64), ...fast }), (e: unknown) => {
      assert.ok(e instanceof MechLensError);
      assert.match(e.message, /sha256 of .* expected 0{64}; the file was removed/);
      return true;
    });
    assert.equal(fs.existsSync(dest), false);
    assert.equal(fs.existsSync(dest + '.part'), false);
  } finally {
    await server.close();
  }
});

test('a size mismatch removes the download', async () => {
  const server = await startServer({ '/f.bin': { body } });
  try {
    const dest = path.join(tmp(), 'f.bin');
    await assert.rejects(downloadFile(`${server.url}/f.bin`, dest, { expectedSize: body.length + 1, ...fast }), /expected 300001; the file was removed/);
    assert.equal(fs.existsSync(dest), false);
    assert.equal(fs.existsSync(dest + '.part'), false);
  } finally {
    await server.close();
  }
});

test('cancel keeps the .part, leaves nothing at dest, and a later call resumes', async () => {
  const server = await startServer({ '/slow.bin': { body, stallAfter: 70_000 }, '/f.bin': { body } });
  try {
    const dest = path.join(tmp(), 'f.bin');
    const controller = new AbortController();
    const p = downloadFile(`${server.url}/slow.bin`, dest, {
      signal: controller.signal,
      onProgress: (n) => {
        if (n >= 70_000) controller.abort();
      },
      ...fast,
    });
    await assert.rejects(p, (e: unknown) => e instanceof MechLensError && e.code === 'cancelled');
    assert.equal(fs.existsSync(dest), false);
    assert.equal(fs.statSync(dest + '.part').size, 70_000);
    const r = await downloadFile(`${server.url}/f.bin`, dest, { sha256: sha, ...fast });
    assert.equal(r.resumed, true);
    assert.deepEqual(fs.readFileSync(dest), body);
  } finally {
    await server.close();
  }
});

test('an already aborted signal downloads nothing', async () => {
  const server = await startServer({ '/f.bin': { body } });
  try {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(downloadFile(`${server.url}/f.bin`, path.join(tmp(), 'f.bin'), { signal: controller.signal }), { code: 'cancelled' });
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

test('redirects are followed, relative and absolute', async () => {
  const server = await startServer({ '/real/f.bin': { body } }, { '/a': '/b', '/b': '/real/f.bin' });
  try {
    const dest = path.join(tmp(), 'f.bin');
    await downloadFile(`${server.url}/a`, dest, { sha256: sha, ...fast });
    assert.deepEqual(fs.readFileSync(dest), body);
    assert.deepEqual(server.requests.map((r) => r.path), ['/a', '/b', '/real/f.bin']);
  } finally {
    await server.close();
  }
});

test('404 fails at once with the status in the message', async () => {
  const server = await startServer({});
  try {
    await assert.rejects(downloadFile(`${server.url}/nope`, path.join(tmp(), 'x'), fast), /HTTP 404/);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

test('a full disk (writes to /dev/full) gives a clear no-space error', { skip: !fs.existsSync('/dev/full') }, async () => {
  const server = await startServer({ '/f.bin': { body } });
  try {
    const dest = path.join(tmp(), 'f.bin');
    fs.symlinkSync('/dev/full', dest + '.part');
    await assert.rejects(downloadFile(`${server.url}/f.bin`, dest, fast), (e: unknown) => {
      assert.ok(e instanceof MechLensError);
      assert.match(e.message, /No space left on the disk/);
      assert.match(e.message, /MECHLENS_CACHE/);
      return true;
    });
    assert.equal(fs.existsSync(dest), false);
  } finally {
    await server.close();
  }
});

test('md5 is checked when given (gensim-data publishes md5)', async () => {
  const server = await startServer({ '/f.bin': { body } });
  try {
    const md5 = createHash('md5').update(body).digest('hex');
    const dest = path.join(tmp(), 'f.bin');
    const r = await downloadFile(`${server.url}/f.bin`, dest, { md5, ...fast });
    assert.equal(r.md5, md5);
    await assert.rejects(downloadFile(`${server.url}/f.bin`, path.join(tmp(), 'g.bin'), { md5: 'f'.repeat(32), ...fast }), /md5 of .* the file was removed/);
  } finally {
    await server.close();
  }
});

test('plain http is refused except to this machine', async () => {
  await assert.rejects(downloadFile('http://example.invalid/f.bin', path.join(tmp(), 'f.bin'), fast), (e: unknown) => {
    assert.ok(e instanceof MechLensError);
    assert.match(e.message, /Refusing to download over plain http from example\.invalid.*https/);
    return true;
  });
  await assert.rejects(downloadFile('ftp://x/y', path.join(tmp(), 'f.bin'), fast), /Unsupported URL scheme/);
});

test('repeated drops that still make progress do not use up the retries', async () => {
  const server = await startServer({ '/f.bin': { body, dropAfter: 40_000, dropTimes: 6 } });
  try {
    const dest = path.join(tmp(), 'f.bin');
    const r = await downloadFile(`${server.url}/f.bin`, dest, { sha256: sha, retries: 1, ...fast });
    assert.deepEqual(fs.readFileSync(dest), body);
    assert.equal(r.resumed, true);
    assert.equal(server.requests.length, 7);
  } finally {
    await server.close();
  }
});
