// Where the graph's weights come from. F32 tensors are referenced as ONNX external data pointing
// into the safetensors file itself (file name, offset, length), so no weight is copied into the
// model. Other dtypes (F16, BF16, F64) are converted to F32 into one in-memory buffer that
// onnxruntime reads as a virtual external-data file: onnxruntime resolves either all external
// data from memory or none, so a checkpoint that needs conversion is read into memory entirely.
import path from 'node:path';
import type { Checkpoint } from './checkpoint';
import type { Weight } from './onnx-graph';

/** 'external': point into the safetensors files (needs F32); 'memory': read and convert everything. */
export type WeightMode = 'auto' | 'external' | 'memory';

export const IN_MEMORY_WEIGHTS = 'mechlens-weights-f32.bin';

export interface WeightPlan {
  mode: 'external' | 'memory';
  weight: (name: string) => Weight;
  /** After the graph is built: the folder and in-memory data onnxruntime needs. */
  finish: () => { externalFolder: string; externalData?: { path: string; data: Uint8Array }[]; bytesInMemory: number };
}

export function planWeights(checkpoint: Checkpoint, mode: WeightMode = 'auto'): WeightPlan {
  const allF32 = checkpoint.tensorNames.every((n) => checkpoint.tensor(n).info.dtype === 'F32');
  const chosen = mode === 'auto' ? (allF32 ? 'external' : 'memory') : mode;
  if (chosen === 'external' && !allF32) {
    const other = checkpoint.tensorNames.find((n) => checkpoint.tensor(n).info.dtype !== 'F32')!;
    throw new RangeError(`external weights need F32 tensors; "${other}" is ${checkpoint.tensor(other).info.dtype}`);
  }
  if (chosen === 'external') {
    return {
      mode: 'external',
      weight: (name) => {
        const { file, info } = checkpoint.tensor(name);
        return {
          dims: info.shape,
          source: { kind: 'external', location: path.relative(checkpoint.dir, file.path).split(path.sep).join('/'), offset: info.begin, length: info.end - info.begin },
        };
      },
      finish: () => ({ externalFolder: checkpoint.dir, bytesInMemory: 0 }),
    };
  }
  // Offsets are handed out while the graph is built; the buffer is filled once, at its final size.
  const placed: { name: string; offset: number }[] = [];
  let total = 0;
  return {
    mode: 'memory',
    weight: (name) => {
      const { info } = checkpoint.tensor(name);
      const count = info.shape.reduce((a, b) => a * b, 1);
      const offset = total;
      placed.push({ name, offset });
      total += count * 4;
      return { dims: info.shape, source: { kind: 'external', location: IN_MEMORY_WEIGHTS, offset, length: count * 4 } };
    },
    finish: () => {
      const buffer = new Float32Array(total / 4);
      for (const { name, offset } of placed) buffer.set(checkpoint.readF32(name), offset / 4);
      return {
        externalFolder: checkpoint.dir,
        externalData: [{ path: IN_MEMORY_WEIGHTS, data: new Uint8Array(buffer.buffer) }],
        bytesInMemory: buffer.byteLength,
      };
    },
  };
}
