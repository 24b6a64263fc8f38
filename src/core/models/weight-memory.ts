// Memory checks for model weights (the general ones are in ../memory.ts): a model too big for the
// allowed share of free memory is refused before onnxruntime tries to load it.
import fs from 'node:fs';
import { assertFits, type MemoryBudget } from '../memory';
import type { LoadedModel } from './capture-model';

/** What a session needs for the weights: every tensor as Float32 (onnxruntime widens F16/BF16), or the .onnx file's size. */
export function modelWeightBytes(model: LoadedModel): number {
  if (model.kind === 'onnx') {
    try { return fs.statSync(model.source).size; } catch { return 0; }
  }
  let elements = 0;
  for (const file of model.checkpoint.files) {
    for (const info of file.tensors.values()) elements += info.shape.reduce((a, b) => a * b, 1);
  }
  return elements * 4;
}

/** Refuses to run a model whose weights would not fit in the allowed share of free memory. */
export function assertModelFits(model: LoadedModel, input: string, budget?: MemoryBudget): void {
  assertFits(modelWeightBytes(model), `loading the weights of ${input}`, input, budget);
}
