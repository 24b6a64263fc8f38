// A second space that asks the notebooks' question (does GloVe-50 see the same structure as
// GloVe-300?) from one set of vectors: the same vectors reduced to their top principal components,
// with the PCA fitted on the most frequent words of the file (its first rows), as sklearn's
// PCA(n_components).fit(X[:fitRows]).transform(X_words) gives them.
import type { Matrix } from '../matrix';
import { pca } from '../layout/pca';
import type { RunControl } from '../run-control';
import { loadVectors } from '../vectors/load';
import { lookupVectors } from '../vectors/lookup';

export interface ReducedSpace {
  /** The words found in the file, in the order asked. */
  words: string[];
  /** words × components: (x − mean) · componentsᵀ. */
  vectors: Matrix<Float32Array>;
  /** Words not in the file. */
  missing: string[];
  components: number;
  fitRows: number;
  /** Share of the fitted rows' variance the components keep, summed. */
  explainedVariance: number;
  /** One sentence that says what this space is, for the result and the CLI. */
  description: string;
}

export async function pcaReducedSpace(file: string, label: string, words: string[], options: { components: number; fitRows: number }, control?: RunControl): Promise<ReducedSpace> {
  const { components, fitRows } = options;
  const fit = await loadVectors(file, control, { maxRows: fitRows });
  const model = pca(fit.vectors, { components, solver: 'covariance' });
  const lookup = await lookupVectors(file, words, control);
  const kept = words.map((_, i) => i).filter((i) => lookup.found[i]);
  const dims = lookup.dims;
  const out = new Float32Array(kept.length * components);
  const centred = new Float64Array(dims);
  kept.forEach((i, row) => {
    for (let c = 0; c < dims; c++) centred[c] = lookup.vectors.data[i * dims + c] - model.mean[c];
    for (let p = 0; p < components; p++) {
      let s = 0;
      for (let c = 0; c < dims; c++) s += centred[c] * model.components.data[p * dims + c];
      out[row * components + p] = s;
    }
  });
  const explainedVariance = model.explainedVarianceRatio.reduce((a, b) => a + b, 0);
  return {
    words: kept.map((i) => words[i]),
    vectors: { rows: kept.length, cols: components, data: out },
    missing: lookup.missing,
    components,
    fitRows: fit.vectors.rows,
    explainedVariance,
    description: `the same ${label} vectors reduced to their top ${components} principal components (PCA fitted on the ${fit.vectors.rows.toLocaleString('en-US')} most frequent words, keeping ${(100 * explainedVariance).toFixed(1)}% of their variance): ${dims} vs ${components} dimensions, as the notebooks compare 300 with 50`,
  };
}
