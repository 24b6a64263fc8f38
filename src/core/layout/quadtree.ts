// The Barnes-Hut space-partitioning tree for 2-D t-SNE, in flat typed arrays that are reused
// between iterations (no per-iteration allocation). Cells split at their box centre, as in
// scikit-learn's _QuadTree; a cell far enough away (squared width / squared distance < θ²)
// stands in for all its points at their centre of mass.

const NO_CHILD = -1;
const MAX_DEPTH = 64;
/** Points per traversal group: big enough to amortise a traversal, small enough to keep groups compact. */
const GROUP = 32;

export class QuadTree {
  private capacity = 0;
  private nodes = 0;
  /** Per node: comX, comY, count, squared max width (stride 4, one cache line per node). */
  private summary = new Float64Array(0);
  /** Per node: index of the first of its 4 children, or NO_CHILD for a leaf. */
  private firstChild = new Int32Array(0);
  /** Per node: the point a leaf holds (the first one, for duplicates), or -1 when empty. */
  private leafPoint = new Int32Array(0);
  private boxX = new Float64Array(0);
  private boxY = new Float64Array(0);
  private stack = new Int32Array(0);
  /** Points in depth-first leaf order: neighbours in the plane are neighbours here, which keeps traversals in cache. */
  private order = new Int32Array(0);
  private builds = 0;
  private listX = new Float64Array(0);
  private listY = new Float64Array(0);
  private listCount = new Float64Array(0);

  /** Builds the tree over y (n × 2, interleaved). */
  build(y: Float64Array, n: number): void {
    this.ensure(Math.max(16, 4 * n + 1));
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const px = y[2 * i], py = y[2 * i + 1];
      if (px < minX) minX = px; if (px > maxX) maxX = px;
      if (py < minY) minY = py; if (py > maxY) maxY = py;
    }
    // Widen the box a little, as sklearn does, so no point sits exactly on the far edge.
    maxX = Math.max(maxX * (1 + 1e-3 * Math.sign(maxX)), maxX + 1e-3);
    maxY = Math.max(maxY * (1 + 1e-3 * Math.sign(maxY)), maxY + 1e-3);
    this.nodes = 1;
    this.initNode(0, (minX + maxX) / 2, (minY + maxY) / 2, Math.max(maxX - minX, maxY - minY));
    for (let i = 0; i < n; i++) this.insert(i, y[2 * i], y[2 * i + 1], (maxX - minX) / 2, (maxY - minY) / 2);
    this.orderPoints(y, n, minX, minY, Math.max(maxX - minX, maxY - minY));
    const s = this.summary;
    for (let c = 0; c < this.nodes; c++) {
      const count = s[4 * c + 2];
      if (count > 0) { s[4 * c] /= count; s[4 * c + 1] /= count; }
    }
  }

  /**
   * Sorts points along a Z-order (Morton) curve over the root box, refreshed every few builds
   * since points move slowly; a stale order only costs cache misses, never accuracy.
   */
  private orderPoints(y: Float64Array, n: number, minX: number, minY: number, size: number): void {
    if (this.order.length === n && this.builds++ % 5 !== 0) return;
    if (this.order.length !== n) { this.order = new Int32Array(n); this.builds = 1; }
    const keys = new Float64Array(n);
    const scale = size > 0 ? 32767 / size : 0;
    for (let i = 0; i < n; i++) {
      const qx = Math.min(32767, Math.floor((y[2 * i] - minX) * scale));
      const qy = Math.min(32767, Math.floor((y[2 * i + 1] - minY) * scale));
      keys[i] = interleave(qx, qy) * 4194304 + i;
    }
    keys.sort();
    for (let t = 0; t < n; t++) this.order[t] = keys[t] % 4194304;
  }

  private initNode(c: number, cx: number, cy: number, width: number): void {
    const s = this.summary;
    s[4 * c] = 0; s[4 * c + 1] = 0; s[4 * c + 2] = 0; s[4 * c + 3] = width * width;
    this.firstChild[c] = NO_CHILD;
    this.leafPoint[c] = -1;
    this.boxX[c] = cx; this.boxY[c] = cy;
  }

  private insert(i: number, px: number, py: number, rootHalfW: number, rootHalfH: number): void {
    const s = this.summary;
    let c = 0, halfW = rootHalfW, halfH = rootHalfH;
    for (let depth = 0; ; depth++) {
      const first = this.firstChild[c];
      if (first === NO_CHILD) {
        const held = this.leafPoint[c];
        if (held < 0) {
          this.leafPoint[c] = i;
          s[4 * c] += px; s[4 * c + 1] += py; s[4 * c + 2] += 1;
          return;
        }
        const hx = s[4 * c] / s[4 * c + 2], hy = s[4 * c + 1] / s[4 * c + 2];
        if ((hx === px && hy === py) || depth >= MAX_DEPTH) {
          // Duplicates share a leaf, counted with their multiplicity.
          s[4 * c] += px; s[4 * c + 1] += py; s[4 * c + 2] += 1;
          return;
        }
        // Split: the held point(s) move down into their quadrant, then carry on with i.
        if (this.nodes + 4 > this.capacity) this.grow();
        const base = this.nodes;
        this.nodes += 4;
        const qw = halfW / 2, qh = halfH / 2, bx = this.boxX[c], by = this.boxY[c];
        const width = Math.sqrt(s[4 * c + 3]) / 2;
        this.initNode(base, bx - qw, by - qh, width);
        this.initNode(base + 1, bx + qw, by - qh, width);
        this.initNode(base + 2, bx - qw, by + qh, width);
        this.initNode(base + 3, bx + qw, by + qh, width);
        this.firstChild[c] = base;
        const q = base + (hx >= bx ? 1 : 0) + (hy >= by ? 2 : 0);
        this.leafPoint[q] = held;
        this.leafPoint[c] = -1;
        s[4 * q] = s[4 * c]; s[4 * q + 1] = s[4 * c + 1]; s[4 * q + 2] = s[4 * c + 2];
        continue; // re-examine c, now internal
      }
      s[4 * c] += px; s[4 * c + 1] += py; s[4 * c + 2] += 1;
      c = first + (px >= this.boxX[c] ? 1 : 0) + (py >= this.boxY[c] ? 2 : 0);
      halfW /= 2; halfH /= 2;
    }
  }

  /**
   * Repulsive forces for the points at tree-order positions [from, to): negF[i] = Σ_cells count·q²·(y_i − com)
   * and pointZ[i] = Σ_cells count·q, with q = 1/(1+d²); Z is the sum of pointZ. Points are walked in groups of nearby points (Barnes' grouping):
   * one traversal per group accepts a cell only if it is far enough from the group's whole bounding
   * box, so every point of the group meets θ, and the accepted cells form a flat list that each
   * point then sums in a tight loop. Same or better accuracy than per-point θ, far less traversal.
   */
  repulsion(y: Float64Array, theta: number, negF: Float64Array, pointZ: Float64Array, from = 0, to = this.order.length): void {
    const n = to;
    const s = this.summary, firstChild = this.firstChild, stack = this.stack, order = this.order;
    const theta2 = theta * theta;
    if (this.listX.length < this.nodes) {
      this.listX = new Float64Array(this.capacity);
      this.listY = new Float64Array(this.capacity);
      this.listCount = new Float64Array(this.capacity);
    }
    const listX = this.listX, listY = this.listY, listCount = this.listCount;
    for (let g0 = from; g0 < n; g0 += GROUP) {
      const g1 = Math.min(n, g0 + GROUP);
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (let t = g0; t < g1; t++) {
        const i = order[t], px = y[2 * i], py = y[2 * i + 1];
        if (px < minX) minX = px; if (px > maxX) maxX = px;
        if (py < minY) minY = py; if (py > maxY) maxY = py;
      }
      let size = 0, top = 0;
      stack[top++] = 0;
      while (top > 0) {
        const c = stack[--top];
        const o = 4 * c;
        const cx = s[o], cy = s[o + 1];
        const first = firstChild[c];
        if (first !== NO_CHILD) {
          const dx = cx < minX ? minX - cx : cx > maxX ? cx - maxX : 0;
          const dy = cy < minY ? minY - cy : cy > maxY ? cy - maxY : 0;
          if (s[o + 3] >= theta2 * (dx * dx + dy * dy)) {
            if (s[4 * first + 2] > 0) stack[top++] = first;
            if (s[4 * first + 6] > 0) stack[top++] = first + 1;
            if (s[4 * first + 10] > 0) stack[top++] = first + 2;
            if (s[4 * first + 14] > 0) stack[top++] = first + 3;
            continue;
          }
        }
        listX[size] = cx; listY[size] = cy; listCount[size++] = s[o + 2];
      }
      for (let t = g0; t < g1; t++) {
        const i = order[t], px = y[2 * i], py = y[2 * i + 1];
        let fx = 0, fy = 0, z = 0;
        for (let l = 0; l < size; l++) {
          const dx = px - listX[l], dy = py - listY[l];
          const d2 = dx * dx + dy * dy;
          if (d2 === 0) continue; // the point itself (and exact duplicates)
          const q = 1 / (1 + d2);
          const cq = listCount[l] * q;
          z += cq;
          const m = cq * q;
          fx += m * dx; fy += m * dy;
        }
        pointZ[i] = z;
        negF[2 * i] = fx; negF[2 * i + 1] = fy;
      }
    }
  }

  /**
   * Where to split the points (in tree order) between threads: a multiple of the group size, so
   * every thread walks whole groups and the result does not depend on the number of threads.
   */
  static split(n: number, fraction: number): number {
    return Math.min(n, Math.round((n * fraction) / GROUP) * GROUP);
  }

  private ensure(capacity: number): void {
    if (capacity > this.capacity) this.resize(capacity);
  }

  private grow(): void {
    this.resize(this.capacity * 2);
  }

  private resize(capacity: number): void {
    const copy = <T extends Float64Array | Int32Array>(old: T, make: (n: number) => T, stride: number): T => {
      const next = make(capacity * stride);
      next.set(old.subarray(0, this.nodes * stride));
      return next;
    };
    this.summary = copy(this.summary, (n) => new Float64Array(n), 4);
    this.firstChild = copy(this.firstChild, (n) => new Int32Array(n), 1);
    this.leafPoint = copy(this.leafPoint, (n) => new Int32Array(n), 1);
    this.boxX = copy(this.boxX, (n) => new Float64Array(n), 1);
    this.boxY = copy(this.boxY, (n) => new Float64Array(n), 1);
    if (this.stack.length === 0) this.stack = new Int32Array(4 * (MAX_DEPTH + 2));
    this.capacity = capacity;
  }
}

/** Interleaves the bits of two 15-bit integers into a 30-bit Morton code. */
function interleave(x: number, y: number): number {
  let code = 0;
  for (let b = 14; b >= 0; b--) code = code * 4 + (((y >> b) & 1) << 1) + ((x >> b) & 1);
  return code;
}
