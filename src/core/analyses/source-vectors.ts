// What a resolved source gives a job: one vector per word, with what was found and what was not.
// Its own module so that sources.ts and the lazily loaded model-source.ts share it without
// importing each other.
import type { SourceInfo } from '../../protocol/result';
import type { Matrix } from '../matrix';

export interface SourceOptions {
  cacheDir?: string;
  offline?: boolean;
  /** Prompt template for model hook sources, e.g. `The next word is {word}`. */
  template?: string;
  /** Base URL for catalog downloads (tests point it at 127.0.0.1). */
  catalogBaseUrl?: string;
}

export interface SourceVectors {
  info: SourceInfo;
  /** words.length rows; rows of missing words are zero. */
  vectors: Matrix<Float32Array>;
  found: boolean[];
  lowercased: string[];
  missing: string[];
  warnings: string[];
}
