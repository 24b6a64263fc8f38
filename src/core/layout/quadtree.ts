// The Barnes-Hut space-partitioning tree for 2-D t-SNE, in flat typed arrays of fixed size
// (allocated once, optionally in shared memory so a helper thread reads the same tree; nothing is
// allocated per iteration). Built each iteration from points sorted along a Z-order (Morton)
// curve: every cell is a contiguous range of the sorted points, children are stored side by side,
// and a cell whose points all fall into one quadrant is skipped (so every internal cell has ≥ 2
// children and there are < 2N cells). A cell's width is the larger side of its points' bounding
// box; a cell far enough away (squared width / squared distance < θ², sklearn's _QuadTree test)
// stands in for all its points at their centre of mass.
import { NEAR_BATCH, createNearField, type NearField } from './near-field';

/** Points per leaf: smaller leaves mean deeper trees, larger ones more exact near-field work. */
const LEAF_SIZE = 4;
/**
 * Points per traversal group: big enough to amortise a traversal, small enough to keep groups
 * compact. With the near-field sums in WebAssembly (~1 ns a pair) a group's walk of the tree costs
 * more than its near pairs; 64 (was 32) halves the walks (1,440 → 720 groups for a 20,000-point
 * layout) for 1.7× the near pairs: 14 % less repulsion time over a run's layouts, and groups accept
 * cells no less strictly, so the forces are no less accurate.
 */
const GROUP_SIZE = 64;
/** Morton key resolution per axis; points closer than 2⁻¹⁶ of the map share a leaf (their forces stay exact). */
const KEY_BITS = 16;
const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
/**
 * A far cell joins the group's Taylor expansion only when (group radius / distance)² is below this
 * times θ²; nearer ones are summed exactly. 0.5 keeps the force error at per-point Barnes-Hut's
 * level (measured against exact forces on t-SNE layouts of 10,000 points: 0.7 % at θ = 0.5).
 */
const EXPANSION_FACTOR = 0.5;

/** The tree's arrays, all in one (possibly shared) buffer each, so a second thread can use the same tree. */
export interface TreeBuffers {
  /** [cell count, group count]. */
  header: SharedArrayBuffer | ArrayBuffer;
  /** Original index of each point, in sorted order. */
  order: SharedArrayBuffer | ArrayBuffer;
  /** Sorted coordinates, x then y interleaved. */
  sorted: SharedArrayBuffer | ArrayBuffer;
  /** Per cell: comX, comY, count, squared width. */
  summary: SharedArrayBuffer | ArrayBuffer;
  /** Per cell: first child (−1 for a leaf), number of children, first point, end point. */
  links: SharedArrayBuffer | ArrayBuffer;
  /** Per cell: min x, max x, min y, max y of its points. */
  boxes: SharedArrayBuffer | ArrayBuffer;
  /** Cells that are traversal groups, in sorted order of their points. */
  groups: SharedArrayBuffer | ArrayBuffer;
}

export function allocateTree(n: number, shared: boolean): TreeBuffers {
  const make = (bytes: number) => (shared ? new SharedArrayBuffer(Math.max(8, bytes)) : new ArrayBuffer(Math.max(8, bytes)));
  const cells = 2 * n + 8;
  return {
    header: make(8), order: make(4 * n), sorted: make(16 * n),
    summary: make(32 * cells), links: make(16 * cells), boxes: make(32 * cells), groups: make(4 * n + 4),
  };
}

export class QuadTree {
  private readonly header: Int32Array;
  private readonly order: Int32Array;
  private readonly sorted: Float64Array;
  private readonly summary: Float64Array;
  private readonly links: Int32Array;
  private readonly boxes: Float64Array;
  private readonly groups: Int32Array;
  // Scratch for building (main thread only) and traversing (each thread its own).
  private keys: Uint32Array = new Uint32Array(0);
  private keysTmp: Uint32Array = new Uint32Array(0);
  private orderTmp: Int32Array = new Int32Array(0);
  private readonly counts = new Int32Array(RADIX);
  private readonly stack = new Int32Array(4 * (KEY_BITS + 4) * 4);
  private near: NearField | undefined;
  private cells = 0;
  private groupsBuilt = 0;

  constructor(readonly n: number, readonly buffers: TreeBuffers = allocateTree(n, false)) {
    this.header = new Int32Array(buffers.header);
    this.order = new Int32Array(buffers.order);
    this.sorted = new Float64Array(buffers.sorted);
    this.summary = new Float64Array(buffers.summary);
    this.links = new Int32Array(buffers.links);
    this.boxes = new Float64Array(buffers.boxes);
    this.groups = new Int32Array(buffers.groups);
  }

  /** Builds the tree over y (n × 2, interleaved). */
  build(y: Float64Array): void {
    const n = this.n;
    if (this.keys.length !== n) {
      this.keys = new Uint32Array(n); this.keysTmp = new Uint32Array(n); this.orderTmp = new Int32Array(n);
    }
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const px = y[2 * i], py = y[2 * i + 1];
      if (px < minX) minX = px; if (px > maxX) maxX = px;
      if (py < minY) minY = py; if (py > maxY) maxY = py;
    }
    const size = Math.max(maxX - minX, maxY - minY);
    const scale = size > 0 ? 65536 / size : 0;
    const keys = this.keys, order = this.order;
    for (let i = 0; i < n; i++) {
      const qx = Math.min(65535, Math.floor((y[2 * i] - minX) * scale));
      const qy = Math.min(65535, Math.floor((y[2 * i + 1] - minY) * scale));
      keys[i] = (spread(qy) << 1 | spread(qx)) >>> 0;
      order[i] = i;
    }
    this.radixSort();
    const sorted = this.sorted;
    for (let t = 0; t < n; t++) { const i = order[t]; sorted[2 * t] = y[2 * i]; sorted[2 * t + 1] = y[2 * i + 1]; }
    this.cells = 1;
    this.groupsBuilt = 0;
    this.buildCell(0, 0, n, 0, true);
    this.header[0] = this.cells;
    this.header[1] = this.groupsBuilt;
  }

  /** Sorts keys (with order) by least-significant-digit radix sort: 3 passes of 11 bits. */
  private radixSort(): void {
    const n = this.n, counts = this.counts;
    let srcK = this.keys, srcO = this.order, dstK = this.keysTmp, dstO = this.orderTmp;
    for (let shift = 0; shift < 2 * KEY_BITS; shift += RADIX_BITS) {
      counts.fill(0);
      for (let t = 0; t < n; t++) counts[(srcK[t] >>> shift) & (RADIX - 1)]++;
      let sum = 0;
      for (let b = 0; b < RADIX; b++) { const c = counts[b]; counts[b] = sum; sum += c; }
      for (let t = 0; t < n; t++) {
        const k = srcK[t], at = counts[(k >>> shift) & (RADIX - 1)]++;
        dstK[at] = k; dstO[at] = srcO[t];
      }
      const tk = srcK; srcK = dstK; dstK = tk;
      const to = srcO; srcO = dstO; dstO = to;
    }
    // An odd number of passes leaves the result in the scratch arrays.
    if (srcK !== this.keys) { this.keys.set(srcK); this.order.set(srcO); }
  }

  /** Fills cell c with the sorted points [lo, hi), whose keys agree above `level`. */
  private buildCell(c: number, lo: number, hi: number, level: number, parentIsGroupOrAbove: boolean): void {
    const keys = this.keys, links = this.links, s = this.summary, box = this.boxes;
    const count = hi - lo;
    links[4 * c + 2] = lo; links[4 * c + 3] = hi;
    if (count > LEAF_SIZE) {
      // Skip levels where all points fall into one quadrant.
      while (level < KEY_BITS) {
        const shift = 2 * (KEY_BITS - 1 - level);
        if (((keys[lo] >>> shift) & 3) !== ((keys[hi - 1] >>> shift) & 3)) break;
        level++;
      }
    }
    const leaf = count <= LEAF_SIZE || level >= KEY_BITS;
    // Every point lies in exactly one group: the topmost cell with few points (or a leaf of duplicates).
    const isGroup = parentIsGroupOrAbove && (count <= GROUP_SIZE || leaf);
    if (isGroup) this.groups[this.groupsBuilt++] = c;
    if (leaf) {
      const sorted = this.sorted;
      let sx = 0, sy = 0, x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (let t = lo; t < hi; t++) {
        const px = sorted[2 * t], py = sorted[2 * t + 1];
        sx += px; sy += py;
        if (px < x0) x0 = px; if (px > x1) x1 = px;
        if (py < y0) y0 = py; if (py > y1) y1 = py;
      }
      links[4 * c] = -1; links[4 * c + 1] = 0;
      this.finishCell(c, sx / count, sy / count, count, x0, x1, y0, y1);
      return;
    }
    const shift = 2 * (KEY_BITS - 1 - level);
    // Children: one per non-empty quadrant, found by binary search on the sorted keys.
    const first = this.cells;
    let start = lo, children = 0;
    while (start < hi) {
      const quadrant = (keys[start] >>> shift) & 3;
      let a = start, b = hi;
      while (a < b) { const m = (a + b) >>> 1; if (((keys[m] >>> shift) & 3) <= quadrant) a = m + 1; else b = m; }
      links[4 * (first + children) + 2] = start; links[4 * (first + children) + 3] = a;
      children++;
      start = a;
    }
    this.cells += children;
    links[4 * c] = first; links[4 * c + 1] = children;
    let sx = 0, sy = 0, x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    const below = parentIsGroupOrAbove && !isGroup;
    for (let k = 0; k < children; k++) {
      const child = first + k;
      this.buildCell(child, links[4 * child + 2], links[4 * child + 3], level + 1, below);
      const cc = s[4 * child + 2];
      sx += s[4 * child] * cc; sy += s[4 * child + 1] * cc;
      if (box[4 * child] < x0) x0 = box[4 * child];
      if (box[4 * child + 1] > x1) x1 = box[4 * child + 1];
      if (box[4 * child + 2] < y0) y0 = box[4 * child + 2];
      if (box[4 * child + 3] > y1) y1 = box[4 * child + 3];
    }
    this.finishCell(c, sx / count, sy / count, count, x0, x1, y0, y1);
  }

  private finishCell(c: number, comX: number, comY: number, count: number, x0: number, x1: number, y0: number, y1: number): void {
    const s = this.summary, box = this.boxes;
    const width = Math.max(x1 - x0, y1 - y0);
    s[4 * c] = comX; s[4 * c + 1] = comY; s[4 * c + 2] = count; s[4 * c + 3] = width * width;
    box[4 * c] = x0; box[4 * c + 1] = x1; box[4 * c + 2] = y0; box[4 * c + 3] = y1;
  }

  /** Number of traversal groups of the last build (repulsion takes group ranges). */
  groupCount(): number {
    return this.header[1];
  }

  /**
   * Repulsive forces for the points of groups [from, to): negF[i] = Σ_cells count·q²·(y_i − com)
   * and pointZ[i] = Σ_cells count·q, with q = 1/(1+d²); Z is the sum of pointZ.
   * Each group of nearby points (a cell of ≤ GROUP_SIZE points) walks the tree once and accepts a
   * cell only if it meets θ for the group's whole bounding box, so every point of the group meets
   * θ. Accepted cells far from the group (group radius / distance < θ as well) are folded into a
   * second-order Taylor expansion around the group centre, which then costs O(1) per point; the
   * rest (nearer cells, and the points of near leaves, exactly) go into a flat list that the
   * group's points sum in near-field.ts's kernel.
   */
  repulsion(theta: number, negF: Float64Array, pointZ: Float64Array, from: number, to: number): void {
    const s = this.summary, links = this.links, box = this.boxes, sorted = this.sorted, order = this.order, stack = this.stack;
    const theta2 = theta * theta;
    // Worst case: every cell (< 2N + 8) as a far entry plus every point of near leaves.
    const near = (this.near ??= createNearField(3 * (3 * this.n + 8)));
    const list = near.list;
    for (let gi = from; gi < to; gi++) {
      const g = this.groups[gi];
      const gx0 = box[4 * g], gx1 = box[4 * g + 1], gy0 = box[4 * g + 2], gy1 = box[4 * g + 3];
      const gcx = (gx0 + gx1) / 2, gcy = (gy0 + gy1) / 2;
      const radius2 = ((gx1 - gx0) * (gx1 - gx0) + (gy1 - gy0) * (gy1 - gy0)) / 4;
      // Expansion coefficients: z ≈ z0 − 2 f0·δ − δᵀJδ, f ≈ f0 + Jδ + second-order terms (a*, b*).
      let z0 = 0, f0x = 0, f0y = 0, jxx = 0, jxy = 0, jyy = 0;
      let axx = 0, axy = 0, ayy = 0, bxx = 0, bxy = 0, byy = 0;
      let size = 0, top = 0;
      stack[top++] = 0;
      while (top > 0) {
        const c = stack[--top];
        const o = 4 * c;
        const cx = s[o], cy = s[o + 1];
        const dx = cx < gx0 ? gx0 - cx : cx > gx1 ? cx - gx1 : 0;
        const dy = cy < gy0 ? gy0 - cy : cy > gy1 ? cy - gy1 : 0;
        const d2 = dx * dx + dy * dy;
        if (s[o + 3] < theta2 * d2) {
          const count = s[o + 2];
          const rx = gcx - cx, ry = gcy - cy, r2 = rx * rx + ry * ry;
          if (radius2 < EXPANSION_FACTOR * theta2 * r2) {
            const q = 1 / (1 + r2), q2 = count * q * q, q3 = q2 * q, q4 = q3 * q;
            z0 += count * q;
            f0x += q2 * rx; f0y += q2 * ry;
            jxx += q2 - 4 * q3 * rx * rx; jxy -= 4 * q3 * rx * ry; jyy += q2 - 4 * q3 * ry * ry;
            axx += -6 * q3 * rx + 12 * q4 * rx * rx * rx;
            axy += -4 * q3 * ry + 24 * q4 * rx * rx * ry;
            ayy += -2 * q3 * rx + 12 * q4 * rx * ry * ry;
            bxx += -2 * q3 * ry + 12 * q4 * ry * rx * rx;
            bxy += -4 * q3 * rx + 24 * q4 * rx * ry * ry;
            byy += -6 * q3 * ry + 12 * q4 * ry * ry * ry;
          } else {
            list[size++] = cx; list[size++] = cy; list[size++] = count;
          }
          continue;
        }
        const first = links[o];
        if (first >= 0) {
          for (let k = links[o + 1] - 1; k >= 0; k--) stack[top++] = first + k;
        } else {
          for (let t = links[o + 2], end = links[o + 3]; t < end; t++) {
            list[size++] = sorted[2 * t]; list[size++] = sorted[2 * t + 1]; list[size++] = 1;
          }
        }
      }
      const { px: nearX, py: nearY, z: nearZ, fx: nearFx, fy: nearFy } = near;
      for (let t0 = links[4 * g + 2], end = links[4 * g + 3]; t0 < end; t0 += NEAR_BATCH) {
        const count = Math.min(NEAR_BATCH, end - t0);
        for (let k = 0; k < count; k++) {
          const t = t0 + k;
          const px = sorted[2 * t], py = sorted[2 * t + 1];
          const ex = px - gcx, ey = py - gcy;
          const jex = jxx * ex + jxy * ey, jey = jxy * ex + jyy * ey;
          nearX[k] = px; nearY[k] = py;
          nearZ[k] = z0 - 2 * (f0x * ex + f0y * ey) - (ex * jex + ey * jey);
          nearFx[k] = f0x + jex + axx * ex * ex + axy * ex * ey + ayy * ey * ey;
          nearFy[k] = f0y + jey + bxx * ex * ex + bxy * ex * ey + byy * ey * ey;
        }
        near.sum(count, size);
        for (let k = 0; k < count; k++) {
          const i = order[t0 + k];
          pointZ[i] = nearZ[k];
          negF[2 * i] = nearFx[k]; negF[2 * i + 1] = nearFy[k];
        }
      }
    }
  }
}

/** Spreads the 16 bits of v to the even bit positions of a 32-bit integer. */
function spread(v: number): number {
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return (v | (v << 1)) & 0x55555555;
}
