// The Barnes-Hut iterations on two threads (see helper-thread.ts for how the threads meet). Each
// iteration the helper starts on the attraction (one pairwise chunk below PAIRWISE_BELOW points,
// else chunks of rows) while the main thread builds the quadtree in shared memory; then both
// threads take the chunks left (attraction rows, repulsion groups). Every chunk writes its own slots of the
// output, so results do not depend on which thread did what, or on the number of threads. The KL
// terms of sklearn's checks, and the perplexity search before the iterations, are split the same
// way, by rows (the neighbour search's chunks are in knn.ts and knn-gemm.ts).
import { QuadTree, allocateTree, type TreeBuffers } from './quadtree';
import { PAIRWISE_BELOW, klOfTerms, klTerms, mirrorSlots, symmetricAttractiveForces, upperStarts } from './forces';
import { Attraction, attractionArena, type AttractionArena } from './attraction';
import { HelperThread, serveChunks, sharedControl, type SharedControl } from './helper-thread';
import { KnnWork, type KnnInit } from './knn';
import { GemmKnnWork, type GemmKnnInit } from './knn-gemm';
import { perplexityRows, type SparseP } from './affinities';

export interface GradientInit extends SharedControl {
  kind: 'gradient';
  n: number;
  theta: number;
  /** upperStarts of P, or null if it is not symmetric. */
  upper: Int32Array | null;
  /** The attraction as one chunk (symmetricAttractiveForces; needs upper) rather than chunks of rows. */
  pairwise: boolean;
  /** mirrorSlots of P and the KL terms (klTerms), when upper is known. */
  mirror: SharedArrayBuffer | null;
  terms: SharedArrayBuffer | null;
  tree: TreeBuffers;
  /** P, y and the attractive forces. */
  attraction: AttractionArena;
  negF: SharedArrayBuffer;
  pointZ: SharedArrayBuffer;
}

export interface PerplexityInit extends SharedControl {
  kind: 'perplexity';
  n: number;
  k: number;
  perplexity: number;
  squared: SharedArrayBuffer;
  conditional: SharedArrayBuffer;
}

/** What the helper thread gets for one job. */
export type HelperInit = GradientInit | KnnInit | GemmKnnInit | PerplexityInit;

const PERPLEXITY_ROWS_PER_CHUNK = 64;

class PerplexityWork {
  private readonly squared: Float64Array;
  readonly conditional: Float64Array;
  constructor(readonly init: PerplexityInit) {
    this.squared = new Float64Array(init.squared);
    this.conditional = new Float64Array(init.conditional);
  }

  get chunks(): number {
    return Math.ceil(this.init.n / PERPLEXITY_ROWS_PER_CHUNK);
  }

  run(chunk: number): void {
    const from = chunk * PERPLEXITY_ROWS_PER_CHUNK;
    perplexityRows(this.squared, this.conditional, this.init.k, this.init.perplexity, false, from, Math.min(this.init.n, from + PERPLEXITY_ROWS_PER_CHUNK));
  }
}

/** binarySearchPerplexity over kNN rows (n × k squared distances) on two threads; the same result. */
export function perplexityOnTwoThreads(squared: Float64Array, n: number, k: number, perplexity: number): Float64Array {
  const init: PerplexityInit = {
    kind: 'perplexity', ...sharedControl(0), n, k, perplexity,
    squared: new SharedArrayBuffer(8 * Math.max(1, n * k)), conditional: new SharedArrayBuffer(8 * Math.max(1, n * k)),
  };
  new Float64Array(init.squared).set(squared);
  const work = new PerplexityWork(init);
  const helper = new HelperThread(init);
  try { helper.run(work.chunks, work); } finally { helper.dispose(); }
  return work.conditional;
}

/** params: exaggeration, repulsion groups, attraction chunks, what the chunks are, and Z for the KL terms. */
const EXAGGERATION = 0, GROUPS = 1, ATTRACTION_CHUNKS = 2, MODE = 3, SUM_Q = 4;
const FORCES = 0, KL_TERMS = 1;
const GROUPS_PER_CHUNK = 16;
const ROWS_PER_CHUNK = 512;

/** The chunked work of one gradient evaluation; both threads run it. */
class GradientWork {
  readonly tree: QuadTree;
  readonly attraction: Attraction;
  readonly terms: Float64Array | null;
  private readonly mirror: Int32Array | null;
  constructor(readonly init: GradientInit, readonly negF: Float64Array, readonly pointZ: Float64Array, readonly params: Float64Array) {
    this.tree = new QuadTree(init.n, init.tree);
    this.attraction = new Attraction(init.attraction);
    this.terms = init.terms && new Float64Array(init.terms);
    this.mirror = init.mirror && new Int32Array(init.mirror);
  }

  /** The attraction comes first: as one chunk it is the longest, and the other thread takes repulsion chunks meanwhile. */
  run(chunk: number): void {
    const { init, params } = this;
    const a = this.attraction;
    if (params[MODE] === KL_TERMS) {
      const from = chunk * ROWS_PER_CHUNK;
      klTerms(a.y, params[SUM_Q], a.rowStart, init.upper!, a.columns, a.values, this.mirror!, params[EXAGGERATION], this.terms!, from, Math.min(init.n, from + ROWS_PER_CHUNK));
      return;
    }
    const attractionChunks = params[ATTRACTION_CHUNKS];
    if (chunk < attractionChunks) {
      if (init.pairwise) symmetricAttractiveForces(a.y, a.forces, a.rowStart, init.upper!, a.columns, a.values, params[EXAGGERATION], init.n);
      else {
        const from = chunk * ROWS_PER_CHUNK;
        a.rows(from, Math.min(init.n, from + ROWS_PER_CHUNK), params[EXAGGERATION]);
      }
    } else {
      const from = (chunk - attractionChunks) * GROUPS_PER_CHUNK;
      this.tree.repulsion(init.theta, this.negF, this.pointZ, from, Math.min(params[GROUPS], from + GROUPS_PER_CHUNK));
    }
  }
}

function gradientWork(init: GradientInit): GradientWork {
  return new GradientWork(init, new Float64Array(init.negF), new Float64Array(init.pointZ), new Float64Array(init.params));
}

export class GradientThreads {
  readonly y: Float64Array;
  readonly negF: Float64Array;
  readonly pointZ: Float64Array;
  readonly attractive: Float64Array;
  readonly tree: QuadTree;
  /** upperStarts of P, or null if it is not symmetric. */
  readonly upper: Int32Array | null;
  private readonly work: GradientWork;
  private readonly helper: HelperThread;

  constructor(P: SparseP, theta: number) {
    const n = P.n;
    const upper = upperStarts(P.rowStart, P.columns, P.values, n);
    const shared = (count: number) => new SharedArrayBuffer(8 * Math.max(1, count));
    let mirror: SharedArrayBuffer | null = null;
    if (upper) {
      mirror = new SharedArrayBuffer(4 * Math.max(1, P.columns.length));
      new Int32Array(mirror).set(mirrorSlots(P.rowStart, upper, P.columns, n));
    }
    const init: GradientInit = {
      kind: 'gradient', ...sharedControl(5),
      n, theta, upper, pairwise: upper !== null && n < PAIRWISE_BELOW, mirror, terms: upper && shared(P.values.length), tree: allocateTree(n, true),
      attraction: attractionArena(P, true), negF: shared(2 * n), pointZ: shared(n),
    };
    this.work = gradientWork(init);
    this.y = this.work.attraction.y; this.negF = this.work.negF; this.pointZ = this.work.pointZ; this.attractive = this.work.attraction.forces;
    this.tree = this.work.tree;
    this.upper = upper;
    this.helper = new HelperThread(init);
  }

  /** Chunks the helper thread has done so far. */
  get helperChunks(): number {
    return this.helper.helperChunks;
  }

  /**
   * Forces for the current y: negF, pointZ and attractive. With buildTree, the main thread builds the
   * tree over y while the helper starts on the attraction, which does not need it; otherwise the
   * caller has built it.
   */
  compute(exaggeration: number, buildTree = false): void {
    const attractionChunks = this.work.init.pairwise ? 1 : Math.ceil(this.tree.n / ROWS_PER_CHUNK);
    const params = this.helper.params;
    params[MODE] = FORCES; params[EXAGGERATION] = exaggeration; params[ATTRACTION_CHUNKS] = attractionChunks;
    const withGroups = () => { const groups = this.tree.groupCount(); params[GROUPS] = groups; return attractionChunks + Math.ceil(groups / GROUPS_PER_CHUNK); };
    if (buildTree) this.helper.run(attractionChunks, this.work, undefined, undefined, () => { this.tree.build(this.y); return withGroups(); });
    else this.helper.run(withGroups(), this.work);
  }

  /** sklearn's KL divergence at the current y with Z = sumQ, the terms on both threads (needs a symmetric P: upper). */
  kl(exaggeration: number, sumQ: number): number {
    const params = this.helper.params;
    params[MODE] = KL_TERMS; params[EXAGGERATION] = exaggeration; params[SUM_Q] = sumQ;
    this.helper.run(Math.ceil(this.tree.n / ROWS_PER_CHUNK), this.work);
    return klOfTerms(this.work.terms!);
  }

  dispose(): void {
    this.helper.dispose();
  }
}

/** The helper thread's entry (runs inside the worker; returns when told to stop). */
export function runRepulsionHelper(init: HelperInit): void {
  if (init.kind === 'knn') serveChunks(init, new KnnWork(init, 1));
  else if (init.kind === 'knn-gemm') serveChunks(init, new GemmKnnWork(init, 1));
  else if (init.kind === 'perplexity') serveChunks(init, new PerplexityWork(init));
  else serveChunks(init, gradientWork(init));
}
