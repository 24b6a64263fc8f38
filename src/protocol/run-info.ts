// What every Result records about its run and its sources: when and how it ran, which copy of a
// model or vector set was read, and the random-weights mark. Kept apart from result.ts so that job
// Results in their own files (lens.ts) can use them without an import cycle.

/** What produced a Result, so the run can be reproduced. */
export interface RunInfo {
  /** ISO time the run finished. */
  createdAt: string;
  /** MechLens version that produced it. */
  version: string;
  /** Wall time of the whole job in milliseconds. */
  durationMs: number;
  /** Every option the job ran with, defaults included. */
  options: Record<string, unknown>;
  /** Set when the panel shows a stored result instead of running again: when it was stored. */
  fromCache?: { storedAt: string };
}

/** A source spec resolved: what was actually read. */
export interface SourceInfo {
  /** The spec string as given: `glove-wiki-gigaword-50`, `vectors:PATH`, `model:ID#hook`. */
  spec: string;
  /** Human label for charts. */
  label: string;
  kind: 'catalog' | 'vectors' | 'model-embed' | 'model-hook';
  /** Vector dimensionality. */
  dims: number;
  /** File format when kind is vectors/catalog: glove, word2vec-text, word2vec-binary, fasttext. */
  format?: string;
  /** Vocabulary size of the source when known. */
  vocabSize?: number;
  /** Model revision (commit sha or file hash) when a model is involved. */
  revision?: string;
  /** Execution provider used for model inference (cpu, cuda, webgpu...). */
  provider?: string;
  /** True for generated (random) vectors that are not pretrained: charts say so. */
  synthetic?: boolean;
  /** Which copy of a model or vector set was read, and where it was found. */
  copy?: SourceCopy;
  /** True for a model whose weights are random (the offline demo's checkpoint): its numbers mean nothing. */
  randomWeights?: boolean;
  /** What a derived source is, in words (the demo's "the same vectors reduced to 25 principal components"). */
  description?: string;
}

/**
 * Where the files of a source were found: the Hugging Face hub cache (as Python's huggingface_hub
 * left them), gensim-data's folder, MechLens's own download cache, or a path given by the user.
 */
export interface SourceCopy {
  from: 'hub-cache' | 'gensim-data' | 'mechlens-cache' | 'local';
  /** The folder (models) or file (vectors) read. */
  path: string;
  /** Hub cache: the repository name it is stored under (`gpt2`, `openai-community/gpt2`). */
  repo?: string;
  /** Hub cache: the snapshot's commit. */
  commit?: string;
}

/** The words every result computed from a random-weight model carries, and its panel shows as a banner. */
export const RANDOM_WEIGHTS_NOTE = 'random weights: shows the pipeline, not findings';

/**
 * Set on a result computed from a model with random weights (the offline demo's small GPT-2 with
 * the real tokenizer): the charts show what the job computes and draws, not anything about GPT-2.
 */
export interface RandomWeightsMark {
  note: typeof RANDOM_WEIGHTS_NOTE;
  /** The random-weight model, as the result names it. */
  model: string;
}
