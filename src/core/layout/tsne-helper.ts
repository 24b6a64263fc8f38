// The Barnes-Hut iterations on two threads (see helper-thread.ts for how the threads meet). Each
// iteration the helper starts on the attraction (one pairwise chunk below PAIRWISE_BELOW points,
// else chunks of rows) while the main thread builds the quadtree in shared memory; then both
// threads take the chunks left (attraction rows, repulsion groups). Every chunk writes its own slots of the
// output, so results do not depend on which thread did what, or on the number of threads. The
// perplexity search before the iterations is split the same way, by rows.
import { QuadTree, allocateTree, type TreeBuffers } from './quadtree';
import { PAIRWISE_BELOW, symmetricAttractiveForces, upperStarts } from './forces';
import { Attraction, attractionArena, type AttractionArena } from './attraction';
import { HelperThread, serveChunks, sharedControl, type SharedControl } from './helper-thread';
import { KnnWork, type KnnInit } from './knn';
import { GemmKnnWork, type GemmKnnInit } from './knn-gemm';
import { perplexityRows, type SparseP } from './affinities';

export interface GradientInit extends SharedControl {
  kind: 'gradient';
  n: number;
  theta: number;
  /** upperStarts of P, when the attraction is one chunk (symmetricAttractiveForces); null: chunks of rows. */
  pairwise: Int32Array | null;
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

/** params: exaggeration, repulsion groups, attraction chunks. */
const EXAGGERATION = 0, GROUPS = 1, ATTRACTION_CHUNKS = 2;
const GROUPS_PER_CHUNK = 16;
const ROWS_PER_CHUNK = 512;

/** The chunked work of one gradient evaluation; both threads run it. */
class GradientWork {
  readonly tree: QuadTree;
  readonly attraction: Attraction;
  constructor(readonly init: GradientInit, readonly negF: Float64Array, readonly pointZ: Float64Array, readonly params: Float64Array) {
    this.tree = new QuadTree(init.n, init.tree);
    this.attraction = new Attraction(init.attraction);
  }

  /** The attraction comes first: as one chunk it is the longest, and the other thread takes repulsion chunks meanwhile. */
  run(chunk: number): void {
    const { init, params } = this;
    const attractionChunks = params[ATTRACTION_CHUNKS];
    if (chunk < attractionChunks) {
      const a = this.attraction;
      if (init.pairwise) symmetricAttractiveForces(a.y, a.forces, a.rowStart, init.pairwise, a.columns, a.values, params[EXAGGERATION], init.n);
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
    const init: GradientInit = {
      kind: 'gradient', ...sharedControl(3),
      n, theta, pairwise: n < PAIRWISE_BELOW ? upper : null, tree: allocateTree(n, true),
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
    params[EXAGGERATION] = exaggeration; params[ATTRACTION_CHUNKS] = attractionChunks;
    const withGroups = () => { const groups = this.tree.groupCount(); params[GROUPS] = groups; return attractionChunks + Math.ceil(groups / GROUPS_PER_CHUNK); };
    if (buildTree) this.helper.run(attractionChunks, this.work, undefined, undefined, () => { this.tree.build(this.y); return withGroups(); });
    else this.helper.run(withGroups(), this.work);
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
