// How long-running core functions report progress and learn they are cancelled. The extension
// maps this onto withProgress + CancellationToken, the CLI onto stderr + SIGINT, workers onto messages.

export interface Progress {
  /** What is happening now, for a progress line: "Reading vectors", "t-SNE iteration 250". */
  message: string;
  /** 0..1 of this step, when known. */
  fraction?: number;
}

export interface RunControl {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}
