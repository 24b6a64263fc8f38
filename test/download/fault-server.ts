// A server on 127.0.0.1 that misbehaves on request, for the fault-injection and two-process download
// tests. It serves plain files at their path, and Hugging Face hub checkpoints the way huggingface.co
// does (`/{id}/resolve/{rev}/{file}`, LFS files by a 302 to `/cdn/...` carrying X-Linked-Size and the
// sha256 as X-Linked-Etag). Each file can: never answer, stall after some bytes, cut the connection,
// send wrong bytes, answer a status (401/404/500), redirect in a loop, or pause at a gate until the
// test opens it (so that a test knows for certain that a transfer is in flight).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export interface Fault {
  /** Never send the headers. */
  stall?: boolean;
  /** Send this many body bytes, then nothing more (the connection stays open). */
  stallAfter?: number;
  /** Send this many body bytes, then destroy the socket. */
  cutAfter?: number;
  /** Flip one byte in the middle (the announced size and sha256 stay the real ones). */
  wrongBytes?: boolean;
  /** Answer with this status and no body. */
  status?: number;
  /** Answer with a redirect to the same path. */
  redirectLoop?: boolean;
  /** Send this many bytes, then wait for the next `openGate()` before sending the rest. */
  gateAfter?: number;
  /** Apply the fault to the first N GETs of the file only (default: every GET). */
  times?: number;
}

export interface FaultServer {
  url: string;
  /** GET and HEAD requests seen, by path. */
  log: Array<{ method: string; path: string; range: string | undefined }>;
  /** Sets the fault of one path (its `times` count starts again). */
  setFault(urlPath: string, fault: Fault): void;
  clearFaults(): void;
  /** Serves `bytes` at `/path`. */
  addFile(urlPath: string, bytes: Buffer): void;
  /** Serves every file of a checkpoint folder as hub repository `id`. */
  addRepo(id: string, dir: string): void;
  /** Resolves once a response has paused at a gate. */
  gateReached(): Promise<void>;
  openGate(): void;
  gets(urlPath: string): number;
  close(): Promise<void>;
}

export const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export async function startFaultServer(): Promise<FaultServer> {
  const files = new Map<string, Buffer>();
  const repos = new Map<string, Map<string, Buffer>>();
  const faults = new Map<string, Fault>();
  const used = new Map<string, number>();
  const log: FaultServer['log'] = [];
  const waitingAtGate: Array<() => void> = [];
  const gateWatchers: Array<() => void> = [];

  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    log.push({ method: req.method ?? '', path: urlPath, range: req.headers.range });
    const hub = /^\/(.+)\/resolve\/([^/]+)\/([^/]+)$/.exec(urlPath);
    const cdn = /^\/cdn\/(.+)\/([^/]+)$/.exec(urlPath);
    const body = hub ? repos.get(hub[1])?.get(hub[3]) : cdn ? repos.get(cdn[1])?.get(cdn[2]) : files.get(urlPath);
    const fault = faultFor(urlPath, req.method === 'GET');
    if (fault?.stall) return; // the socket stays open and silent
    if (fault?.status) {
      res.writeHead(fault.status).end();
      return;
    }
    if (fault?.redirectLoop) {
      res.writeHead(302, { location: urlPath }).end();
      return;
    }
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const name = hub?.[3];
    if (hub && name?.endsWith('.safetensors')) {
      res.writeHead(302, { location: `/cdn/${hub[1]}/${name}`, 'x-linked-size': String(body.length), 'x-linked-etag': `"${sha256(body)}"`, 'x-repo-commit': COMMIT }).end();
      return;
    }
    const headers: http.OutgoingHttpHeaders = { 'accept-ranges': 'bytes', 'x-repo-commit': COMMIT };
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': body.length }).end();
      return;
    }
    let sent = body;
    if (fault?.wrongBytes) {
      sent = Buffer.from(body);
      sent[sent.length >> 1] ^= 0xff;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      res.writeHead(206, { ...headers, 'content-length': sent.length - start, 'content-range': `bytes ${start}-${sent.length - 1}/${sent.length}` });
    } else {
      res.writeHead(200, { ...headers, 'content-length': sent.length });
    }
    const rest = sent.subarray(start);
    if (fault?.stallAfter !== undefined) {
      res.write(rest.subarray(0, fault.stallAfter));
      return;
    }
    if (fault?.cutAfter !== undefined) {
      res.write(rest.subarray(0, fault.cutAfter), () => res.socket?.destroy());
      return;
    }
    if (fault?.gateAfter !== undefined) {
      res.write(rest.subarray(0, fault.gateAfter), () => {
        waitingAtGate.push(() => res.end(rest.subarray(fault.gateAfter)));
        for (const watcher of gateWatchers.splice(0)) watcher();
      });
      return;
    }
    res.end(rest);
  });

  function faultFor(urlPath: string, isGet: boolean): Fault | undefined {
    const fault = faults.get(urlPath);
    if (!fault || !isGet) return fault?.status || fault?.stall || fault?.redirectLoop ? fault : undefined;
    const n = (used.get(urlPath) ?? 0) + 1;
    used.set(urlPath, n);
    return fault.times === undefined || n <= fault.times ? fault : undefined;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    log,
    setFault(urlPath, fault) {
      faults.set(urlPath, fault);
      used.delete(urlPath);
    },
    clearFaults() {
      faults.clear();
      used.clear();
    },
    addFile: (urlPath, bytes) => void files.set(urlPath, bytes),
    addRepo(id, dir) {
      const repo = new Map<string, Buffer>();
      for (const name of fs.readdirSync(dir)) repo.set(name, fs.readFileSync(path.join(dir, name)));
      repos.set(id, repo);
    },
    gateReached: () => new Promise<void>((resolve) => (waitingAtGate.length ? resolve() : gateWatchers.push(resolve))),
    openGate() {
      for (const go of waitingAtGate.splice(0)) go();
    },
    gets: (urlPath) => log.filter((r) => r.method === 'GET' && r.path === urlPath).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
