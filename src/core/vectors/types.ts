// Shapes shared by the vector-file readers.
import type { Matrix } from '../matrix';

/**
 * How a static vector file is laid out, detected from its bytes (never its name):
 * - `glove-text`: `word v1 v2 ...` per line, no header (Stanford GloVe).
 * - `word2vec-text`: a `count dims` header line, then `word v1 ... vd` lines (also fastText `.vec`).
 * - `word2vec-binary`: a `count dims` header line, then `word<space><dims float32 LE>` records,
 *   each optionally followed by `\n` (GoogleNews-vectors-negative300.bin).
 */
export type VectorFormat = 'glove-text' | 'word2vec-text' | 'word2vec-binary';

export interface VectorFileInfo {
  path: string;
  format: VectorFormat;
  /** The file is gzip-compressed (detected from its magic bytes). */
  gzip: boolean;
  dims: number;
  /** Row count from the header; null for GloVe text, which has none. */
  headerCount: number | null;
  warnings: string[];
}

export interface VectorLookup {
  format: VectorFormat;
  gzip: boolean;
  dims: number;
  /** Rows in the file, when known (a header, or a scan that reached the end). */
  vocabSize: number | null;
  /** One row per requested word, in request order; zero rows for missing words. */
  vectors: Matrix<Float32Array>;
  /** found[i]: words[i] got a vector, exactly or through the lower-case fallback. */
  found: boolean[];
  /** Requested words that matched only as lower-cased (e.g. "Paris" read as "paris"). */
  lowercased: string[];
  /** Requested words with no vector at all. */
  missing: string[];
  warnings: string[];
}

export interface LoadedVectors {
  format: VectorFormat;
  gzip: boolean;
  dims: number;
  /** Vocabulary in file order (a repeated word keeps its first row only). */
  words: string[];
  vectors: Matrix<Float32Array>;
  warnings: string[];
}
