// UMAP through umap-js, seeded, so Embedding Projector users find all three methods here.
import { UMAP } from 'umap-js';
import type { Matrix } from '../matrix';
import { MechLensError, throwIfCancelled } from '../errors';
import { requireFinite } from '../finite';
import type { RunControl } from '../run-control';
import { createRandom } from '../random';

export interface UmapOptions {
  components?: number;
  neighbours?: number;
  minDist?: number;
  spread?: number;
  epochs?: number;
  seed?: number;
}

export interface UmapControl extends RunControl {
  onIteration?: (epoch: number, coords: Float64Array) => void;
}

export async function umap(x: Matrix, options: UmapOptions = {}, control: UmapControl = {}): Promise<Matrix<Float64Array>> {
  const n = x.rows;
  const components = options.components ?? 2;
  if (n < 3) throw new MechLensError('bad-argument', `UMAP needs at least 3 points, got ${n}`, { fix: 'Use PCA for tiny inputs.' });
  requireFinite(x, 'UMAP input');
  const random = createRandom(options.seed ?? 0);
  const neighbours = Math.min(options.neighbours ?? 15, n - 1);
  const model = new UMAP({ nComponents: components, nNeighbors: neighbours, minDist: options.minDist ?? 0.1, spread: options.spread ?? 1, nEpochs: options.epochs, random: () => random.next() });
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols)));
  const epochs = model.initializeFit(rows);
  for (let epoch = 0; epoch < epochs; epoch++) {
    throwIfCancelled(control.signal);
    model.step();
    if ((epoch + 1) % 25 === 0 || epoch === epochs - 1) {
      control.onProgress?.({ message: `UMAP epoch ${epoch + 1}`, fraction: (epoch + 1) / epochs });
      if (control.onIteration) control.onIteration(epoch + 1, flatten(model.getEmbedding(), components));
      // yield so a cancel message can arrive
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return { rows: n, cols: components, data: flatten(model.getEmbedding(), components) };
}

function flatten(rows: number[][], cols: number): Float64Array {
  const out = new Float64Array(rows.length * cols);
  for (let i = 0; i < rows.length; i++) for (let c = 0; c < cols; c++) out[i * cols + c] = rows[i][c];
  return out;
}
