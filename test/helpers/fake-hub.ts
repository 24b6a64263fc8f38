// A local stand-in for huggingface.co for download tests: /{id}/resolve/{rev}/{file} (files may sit
// in folders, as SAE releases keep them), LFS files (.safetensors, .npz) through a 302 to /cdn that
// announces their sha256, and faults on request (dropped connections, corrupt bytes, slow sends).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export const COMMIT = '0123456789abcdef0123456789abcdef01234567';

export interface Repo { files: Map<string, Buffer> }
export interface Faults {
  /** First GET of this file sends only this many bytes, then the connection drops. */
  dropAfter?: Map<string, number>;
  /** Serve these files with one byte flipped (the announced sha256 stays the real one). */
  corrupt?: Set<string>;
  /** Send this file slowly, in 64 KB pieces with a pause, so a test can cancel halfway. */
  slow?: Set<string>;
}

/** A local stand-in for huggingface.co: /{id}/resolve/{rev}/{file}, LFS files via a 302 to /cdn. */
export class FakeHub {
  readonly repos = new Map<string, Repo>();
  readonly log: Array<{ method: string; url: string; range?: string }> = [];
  faults: Faults = {};
  private server = http.createServer((req, res) => this.handle(req, res));
  endpoint = '';

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop() { this.server.closeAllConnections(); this.server.close(); }

  addCheckpoint(id: string, dir: string) {
    const files = new Map<string, Buffer>();
    for (const name of fs.readdirSync(dir)) files.set(name, fs.readFileSync(path.join(dir, name)));
    this.repos.set(id, { files });
  }

  /** Every file under `dir`, at `prefix/` + its path there. */
  addFolder(id: string, prefix: string, dir: string) {
    const repo = this.repos.get(id) ?? { files: new Map<string, Buffer>() };
    for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
      const full = path.join(dir, name);
      if (fs.statSync(full).isFile()) repo.files.set(`${prefix}/${name.split(path.sep).join('/')}`, fs.readFileSync(full));
    }
    this.repos.set(id, repo);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = decodeURIComponent(req.url ?? '');
    this.log.push({ method: req.method ?? '', url, range: req.headers.range });
    // Repository ids are `name` or `owner/name`; file names may contain folders.
    const cdn = /^\/cdn\/([^/]+(?:\/[^/]+)?)\/(.+)$/.exec(url);
    const resolve = /^\/([^/]+(?:\/[^/]+)?)\/resolve\/([^/]+)\/(.+)$/.exec(url);
    const id = cdn?.[1] ?? resolve?.[1];
    const name = cdn?.[2] ?? resolve?.[3];
    const bytes = id && name ? this.repos.get(id)?.files.get(name) : undefined;
    if (!bytes || !name) { res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end(); return; }
    if (id?.startsWith('private-org/') && req.headers.authorization !== 'Bearer secret-token') {
      res.writeHead(401, { 'x-error-code': 'GatedRepo' }).end();
      return;
    }
    const lfs = name.endsWith('.safetensors') || name.endsWith('.npz');
    if (resolve && lfs) {
      res.writeHead(302, {
        location: `/cdn/${id}/${name}`, 'x-linked-size': String(bytes.length), 'x-linked-etag': `"${sha256(bytes)}"`,
        etag: `"${sha256(bytes)}"`, 'x-repo-commit': COMMIT,
      }).end();
      return;
    }
    const headers: http.OutgoingHttpHeaders = { 'accept-ranges': 'bytes', 'x-repo-commit': COMMIT, etag: `"${createHash('sha1').update(bytes).digest('hex')}"` };
    if (req.method === 'HEAD') { res.writeHead(200, { ...headers, 'content-length': bytes.length }).end(); return; }
    let body = bytes;
    if (this.faults.corrupt?.has(name)) { body = Buffer.from(bytes); body[body.length >> 1] ^= 0xff; }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      res.writeHead(206, { ...headers, 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { ...headers, 'content-length': body.length });
    }
    const drop = this.faults.dropAfter?.get(name);
    if (drop !== undefined && start < drop) {
      this.faults.dropAfter!.delete(name);
      res.write(body.subarray(start, drop), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    if (this.faults.slow?.has(name)) {
      let at = start;
      const next = () => {
        if (res.destroyed) return;
        if (at >= body.length) { res.end(); return; }
        res.write(body.subarray(at, at + 65536));
        at += 65536;
        setTimeout(next, 15);
      };
      next();
      return;
    }
    res.end(body.subarray(start));
  }
}

