// `mechlens demo --pretrained` against a stand-in for huggingface.co and gensim-data's releases on
// 127.0.0.1, serving tiny files the test makes under the real names (gpt2, gpt2-medium,
// glove-wiki-gigaword-50/300): what is missing is downloaded with progress, then the five jobs run
// on it; a second run, offline, uses the cache and asks the server for nothing.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runDemo } from '../../src/cli/demo/run-demo';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { parseWordList } from '../../src/core/text/word-list';
import { VECTOR_CATALOG, writeVectorFile, type VectorCatalogEntry } from '../../src/core/vectors';
import { randomVectors } from '../vectors/helpers';

const root = path.join(__dirname, '../..');
const samples = path.join(root, 'samples');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-pretrained-'));
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

/** Files by URL path; HEAD answers with the size, GET honours `Range: bytes=N-`. */
async function serve(files: Map<string, Buffer>) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    seen.push(`${req.method} ${url}`);
    const body = files.get(url);
    if (!body) { res.writeHead(404).end(); return; }
    const headers = { 'accept-ranges': 'bytes', 'x-repo-commit': '0123456789abcdef0123456789abcdef01234567' };
    if (req.method === 'HEAD') { res.writeHead(200, { ...headers, 'content-length': body.length }).end(); return; }
    const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    res.writeHead(start ? 206 : 200, { ...headers, 'content-length': body.length - start, ...(start ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}) });
    res.end(body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => { server.closeAllConnections(); server.close(); } };
}

test('--pretrained downloads the notebooks\' models and vectors with progress, runs the five jobs on them, then runs offline from the cache', async () => {
  const work = tmp();
  dirs.push(work);
  const files = new Map<string, Buffer>();
  // Tiny checkpoints under the hub ids of gpt2 and gpt2-medium (six layers: the jobs read layer 5).
  for (const [id, seed] of [['openai-community/gpt2', 1], ['openai-community/gpt2-medium', 2]] as const) {
    const dir = path.join(work, 'hub', id);
    writeRandomGpt2Checkpoint(dir, { nLayer: 6, nEmbd: 16, nHead: 2, nPositions: 64, seed });
    for (const name of fs.readdirSync(dir)) files.set(`/${id}/resolve/main/${name}`, fs.readFileSync(path.join(dir, name)));
  }
  // Tiny GloVe sets in gensim-data's layout: the sample words plus six-letter words for job 3.
  const listed = parseWordList(fs.readFileSync(path.join(samples, 'space-furniture-fruit.words'), 'utf8')).items.map((i) => i.word);
  const words = [...new Set([...listed, 'planet', 'galaxy', 'orange', 'banana', 'cherry', 'mirror', 'window', 'garden', 'silver', 'winter'])];
  const catalog: VectorCatalogEntry[] = [];
  for (const [name, dims] of [['glove-wiki-gigaword-50', 6], ['glove-wiki-gigaword-300', 9]] as const) {
    const file = path.join(work, `${name}.gz`);
    await writeVectorFile(file, words, randomVectors(words.length, dims, dims), 'word2vec-text', { gzip: true });
    const body = fs.readFileSync(file);
    files.set(`/gensim/${name}/${name}.gz`, body);
    const real = VECTOR_CATALOG.find((e) => e.name === name)!;
    catalog.push({ ...real, dims, vocabSize: words.length, downloadBytes: body.length, md5: createHash('md5').update(body).digest('hex') });
  }
  const server = await serve(files);
  try {
    const cacheDir = path.join(work, 'cache');
    const lines: string[] = [];
    const first = await runDemo({
      out: path.join(work, 'out'), samples, pretrained: true, cacheDir,
      endpoint: server.url, catalogBaseUrl: `${server.url}/gensim`, catalog, log: (l) => lines.push(l),
    });
    const log = lines.join('\n');
    for (const name of ['glove-wiki-gigaword-50', 'glove-wiki-gigaword-300', 'gpt2', 'gpt2-medium']) {
      assert.match(log, new RegExp(`    ${name}: [\\d.]+ MB of [\\d.]+ MB`), `progress for ${name}`);
    }
    assert.ok(server.seen.includes('GET /gensim/glove-wiki-gigaword-300/glove-wiki-gigaword-300.gz'));
    assert.ok(server.seen.includes('GET /openai-community/gpt2-medium/resolve/main/model.safetensors'));

    assert.deepEqual(first.entries.map((e) => e.job), ['compare', 'tokens', 'match', 'attention', 'contrast']);
    const read = (name: string) => JSON.parse(fs.readFileSync(path.join(work, 'out', name), 'utf8'));
    const compare = read('1-compare.json');
    assert.deepEqual([compare.a.source.spec, compare.b.source.spec], ['glove-wiki-gigaword-50', 'glove-wiki-gigaword-300']);
    assert.deepEqual([compare.a.source.dims, compare.b.source.dims], [6, 9]);
    assert.equal(read('2-tokens.json').inputs.model, 'gpt2');
    assert.equal(read('3-match.json').b.spec, 'model:gpt2');
    assert.ok(read('3-match.json').matches.length >= 5);
    assert.equal(read('4-attention.json').inputs.model, 'gpt2-medium');
    assert.equal(read('5-contrast.json').inputs.model, 'gpt2-medium');
    for (const e of first.entries) {
      assert.equal(e.randomWeights, false, `${e.job}: pretrained results are not marked random`);
      assert.equal(read(e.json).randomWeights, undefined);
    }
    assert.match(fs.readFileSync(first.index, 'utf8'), /The notebooks&#39; setup|The notebooks' setup/);

    // Everything is cached now: offline, nothing is asked of the server.
    const asked = server.seen.length;
    // The same stand-in catalog: the cached sets are checked against its sizes and md5s, not the real releases'.
    await runDemo({ out: path.join(work, 'out2'), samples, pretrained: true, cacheDir, offline: true, catalog, log: () => {} });
    assert.equal(server.seen.length, asked);
    assert.ok(fs.existsSync(path.join(work, 'out2', 'index.html')));
  } finally {
    server.close();
  }
});
