// Generated word vectors with planted category structure, for tests and benchmarks that need two
// related spaces of any size (the demo itself reads the packaged GloVe, cli/demo/run-demo.ts). They share
// one latent structure (a category center plus a word-specific part), seen through two different
// random projections with their own noise, so the two spaces agree partly, as two real embedding
// spaces do. Results built from them are marked synthetic.
import type { Matrix } from '../matrix';
import { createRandom } from '../random';

export interface SyntheticSpace {
  words: string[];
  vectors: Matrix<Float32Array>;
}

export function syntheticSpaces(
  words: string[],
  categories: (string | null)[],
  dims: number[],
  seed = 7,
  latentDims = 24,
): SyntheticSpace[] {
  const random = createRandom(seed);
  const centers = new Map<string | null, Float64Array>();
  const latent = new Float64Array(words.length * latentDims);
  for (let i = 0; i < words.length; i++) {
    let center = centers.get(categories[i]);
    if (!center) {
      center = Float64Array.from({ length: latentDims }, () => random.gaussian());
      centers.set(categories[i], center);
    }
    for (let k = 0; k < latentDims; k++) latent[i * latentDims + k] = center[k] + 0.9 * random.gaussian();
  }
  return dims.map((d, s) => {
    const projection = Float64Array.from({ length: latentDims * d }, () => random.gaussian() / Math.sqrt(latentDims));
    const noise = 0.35 + 0.25 * s;
    const data = new Float32Array(words.length * d);
    for (let i = 0; i < words.length; i++) {
      for (let j = 0; j < d; j++) {
        let v = 0;
        for (let k = 0; k < latentDims; k++) v += latent[i * latentDims + k] * projection[k * d + j];
        data[i * d + j] = v + noise * random.gaussian();
      }
    }
    return { words, vectors: { rows: words.length, cols: d, data } };
  });
}
