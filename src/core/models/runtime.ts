// The only module that imports onnxruntime-node. Everything else sees plain
// `{ data: Float32Array, dims: number[] }` tensors. Creates sessions on the best provider that
// starts (falling back to CPU, and saying so once), runs them, and caches them by key.
import os from 'node:os';
import * as ort from 'onnxruntime-node';
// The native session under ort.InferenceSession: its run() is synchronous (see createSyncCpuSession).
import { binding, initOrt } from 'onnxruntime-node/dist/binding';
import { MechLensError } from '../errors';
import { probeProviderEnvironment, providerCandidates, type ProviderEnvironment, type ProviderName, type ProviderSetting } from './providers';

export interface Tensor32 {
  data: Float32Array;
  dims: number[];
}

/** An input tensor: int64 ids and positions, a bool mask (one byte per value), or float32 activations (the logit lens's residual rows). */
export interface Feed {
  data: BigInt64Array | Uint8Array | Float32Array;
  dims: number[];
}

/** A model ready for onnxruntime: serialized bytes plus where its external data lives. */
export interface ModelSource {
  bytes: Uint8Array;
  /** Folder that external-data `location`s are relative to (the checkpoint folder). */
  externalFolder?: string;
  /** External data held in memory instead (e.g. F16 weights converted to F32), by `location`. */
  externalData?: { path: string; data: Uint8Array }[];
  /** For error messages: the checkpoint or file this came from. */
  label: string;
}

export interface SessionOptions {
  provider?: ProviderSetting;
  /** Intra-op threads; default: the number of CPU cores. */
  threads?: number;
  /** Where to say, once per provider, that it could not start and CPU is used instead. */
  log?: (message: string) => void;
  /** For tests: pretend this environment instead of probing the machine. */
  environment?: ProviderEnvironment;
}

export interface InferenceRunner {
  /** The provider the session actually runs on. */
  provider: ProviderName;
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, Feed>, outputs?: readonly string[]): Promise<Record<string, Tensor32>>;
  dispose(): Promise<void>;
}

let ortConfigured = false;
const fallbackReported = new Set<string>();

function configureOrt(): void {
  if (ortConfigured) return;
  ortConfigured = true;
  // Failed provider attempts are reported through MechLens's own message; keep the native log quiet.
  ort.env.logLevel = 'fatal';
}

export async function createInferenceSession(model: ModelSource, options: SessionOptions = {}): Promise<InferenceRunner> {
  configureOrt();
  const env = options.environment ?? probeProviderEnvironment();
  const candidates = providerCandidates(options.provider ?? 'auto', env);
  const failures: string[] = [];
  for (const provider of candidates) {
    try {
      const session = await ort.InferenceSession.create(model.bytes, sessionOptions(model, provider, options.threads));
      if (failures.length) reportFallback(failures, provider, options.log);
      return wrap(session, provider);
    } catch (err) {
      if (provider === 'cpu') {
        throw new MechLensError('model', `onnxruntime could not load the model graph (${firstLine(err)})`, {
          input: model.label, fix: 'If this is your own .onnx file, check it with onnx.checker; otherwise report this with the model name.', cause: err,
        });
      }
      failures.push(`${provider}: ${firstLine(err)}`);
    }
  }
  throw new MechLensError('model', 'no execution provider could start', { input: model.label, fix: failures.join('; ') });
}

function sessionOptions(model: ModelSource, provider: ProviderName, threads?: number): ort.InferenceSession.SessionOptions {
  // No spin-waiting between ops: the extension host and other processes share these cores, and
  // spinning threads under contention cost more than the few microseconds a wake-up takes.
  const extra: Record<string, Record<string, string>> = { session: { 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' } };
  if (model.externalFolder) extra.session.model_external_initializers_file_folder_path = model.externalFolder;
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // onnxruntime's own arena for activations, not malloc per op: with malloc, glibc kept the freed
    // blocks of a run's first large batches, and `mechlens activations` on 108 sentences through a
    // SmolLM2-135M shape peaked at 1,178 MB (2.2× its F32 weights) without huge pages, 644 MB with
    // the arena; GPT-2 small 634 → 609 MB; less CPU time too. Memory patterns stay off: with them,
    // three GPT-2 captures in one process peaked 0.1 GB higher (bench/README.md, model families).
    // The logit lens's [rows, vocabulary] buffers gain most: freshly mapped each run, they
    // page-faulted for longer than the GEMM that fills them took (bench/README.md, logit lens).
    enableCpuMemArena: true,
    enableMemPattern: false,
    ...(model.externalData ? { externalData: model.externalData } : {}),
    extra,
  };
}

function reportFallback(failures: string[], used: ProviderName, log?: (message: string) => void): void {
  const key = `${failures.map((f) => f.split(':')[0]).join(',')}->${used}`;
  if (fallbackReported.has(key)) return;
  fallbackReported.add(key);
  const message = `MechLens: ${failures.join('; ')}. Running on ${used.toUpperCase()} instead.`;
  (log ?? ((m: string) => process.stderr.write(`${m}\n`)))(message);
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 2).join(' ').slice(0, 300);
}

function wrap(session: ort.InferenceSession, provider: ProviderName): InferenceRunner {
  // Release waits for runs in flight: the cache may evict a session another caller is using.
  let active = 0;
  let releaseRequested = false;
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await session.release();
  };
  return {
    provider,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds, outputs) {
      if (released) throw new Error('InferenceRunner.run after dispose');
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) {
        ortFeeds[name] = t.data instanceof BigInt64Array ? new ort.Tensor('int64', t.data, t.dims)
          : t.data instanceof Float32Array ? new ort.Tensor('float32', t.data, t.dims) : new ort.Tensor('bool', t.data, t.dims);
      }
      active++;
      let result: ort.InferenceSession.OnnxValueMapType;
      try {
        result = await session.run(ortFeeds, outputs ? [...outputs] : session.outputNames);
      } finally {
        active--;
        if (releaseRequested && active === 0) await release();
      }
      const out: Record<string, Tensor32> = {};
      for (const [name, value] of Object.entries(result)) {
        const tensor = value as ort.Tensor;
        if (tensor.type !== 'float32') {
          throw new MechLensError('unsupported', `tensor "${name}" is ${tensor.type}; only float32 tensors can be captured`, { input: name });
        }
        out[name] = { data: tensor.data as Float32Array, dims: tensor.dims.map(Number) };
      }
      return out;
    },
    async dispose() {
      releaseRequested = true;
      if (active === 0) await release();
    },
  };
}

/**
 * Sessions keyed by (model, layers, hooks): building and loading a graph costs far more than a run,
 * and analyses ask for the same hooks again. Least recently used sessions are released beyond
 * `capacity`, since each one holds its own copy of packed weights.
 */
export class SessionCache {
  private readonly entries = new Map<string, Promise<InferenceRunner>>();
  constructor(private readonly capacity = 2) {}

  async get(key: string, create: () => Promise<InferenceRunner>): Promise<InferenceRunner> {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry;
    }
    entry = create();
    this.entries.set(key, entry);
    let runner: InferenceRunner;
    try {
      runner = await entry;
    } catch (err) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw err;
    }
    // Evict only once the new session exists, so a failed creation costs no cached session.
    while (this.entries.size > this.capacity) {
      const [oldest, evicted] = this.entries.entries().next().value as [string, Promise<InferenceRunner>];
      this.entries.delete(oldest);
      void evicted.then((s) => s.dispose(), () => undefined);
    }
    return runner;
  }

  get size(): number {
    return this.entries.size;
  }

  async dispose(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((p) => p.then((s) => s.dispose(), () => undefined)));
  }
}

/** The cache captureActivations uses unless given another. */
export const defaultSessionCache = new SessionCache();

/** A dense float tensor for the synchronous sessions below. */
export interface DenseTensor {
  data: Float32Array | Float64Array;
  dims: number[];
}

/** A CPU session whose run() returns its outputs at once (see createSyncCpuSession). */
export interface SyncCpuSession {
  /** `into`: outputs written straight into these arrays (no copy out of onnxruntime); returned as given. */
  run(feeds: Record<string, DenseTensor>, outputs: readonly string[], into?: Record<string, DenseTensor>): Record<string, DenseTensor>;
  dispose(): void;
}

/**
 * Loads a small graph (a single Gemm node, for core/linalg) on the CPU provider with a synchronous
 * run. onnxruntime-node's InferenceSession.run is this same native call, deferred by one
 * setImmediate and wrapped in a promise: the event loop is blocked for the whole product either
 * way. Calling the native session directly lets PCA, kNN and the similarity matrices stay
 * synchronous functions (as they are called from t-SNE and from worker tasks), with no await in
 * every caller for nothing. onnxruntime-node is pinned in package.json; a layout change in a new
 * version fails test/linalg/gemm.test.ts, which checks that this path runs.
 */
export function createSyncCpuSession(bytes: Uint8Array, threads?: number): SyncCpuSession {
  configureOrt();
  initOrt();
  const session = new binding.InferenceSession();
  const options = sessionOptions({ bytes, label: 'linalg' }, 'cpu', threads);
  session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, options);
  let disposed = false;
  return {
    run(feeds, outputs, into) {
      if (disposed) throw new Error('SyncCpuSession.run after dispose');
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) {
        ortFeeds[name] = new ort.Tensor(t.data instanceof Float64Array ? 'float64' : 'float32', t.data, t.dims);
      }
      const fetches: Record<string, ort.Tensor | null> = {};
      for (const name of outputs) {
        const given = into?.[name];
        fetches[name] = given ? new ort.Tensor(given.data instanceof Float64Array ? 'float64' : 'float32', given.data, given.dims) : null;
      }
      const result = session.run(ortFeeds, fetches, {});
      if (into && outputs.every((name) => into[name])) return Object.fromEntries(outputs.map((name) => [name, into[name]]));
      const out: Record<string, DenseTensor> = {};
      for (const [name, value] of Object.entries(result)) {
        const tensor = value as ort.Tensor;
        if (tensor.type !== 'float32' && tensor.type !== 'float64') throw new Error(`linalg session output ${name} is ${tensor.type}`);
        out[name] = { data: tensor.data as Float32Array | Float64Array, dims: tensor.dims.map(Number) };
      }
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      session.dispose();
    },
  };
}
