// Where the graph's weights come from. F32 tensors are referenced as ONNX external data pointing
// into the safetensors file itself (file name, offset, length), so no weight is copied into the
// model. Other dtypes (F16, BF16, F64) are converted to F32 either into a sidecar file in a cache
// folder, written once tensor by tensor and then used as external data like the safetensors
// file ('converted'), or into one in-memory buffer that onnxruntime reads as a virtual
// external-data file ('memory'). onnxruntime resolves either all external data from memory or
// none, so in 'memory' mode every weight is read into memory.
import fs from 'node:fs';
import path from 'node:path';
import type { Checkpoint } from './checkpoint';
import { resolveExternalDataPaths } from './external-data';
import type { Weight } from './onnx-graph';
import { openAtomicFile, writeFileAtomicSync } from '../io/atomic-write';

/**
 * 'external': point into the safetensors files (needs F32); 'converted': a converted F32 sidecar
 * file (needs a folder); 'memory': read and convert everything into memory. 'auto' is external for
 * F32 checkpoints, else converted when a folder is given, else memory.
 */
export type WeightMode = 'auto' | 'external' | 'converted' | 'memory';

export const CONVERTED_WEIGHTS = 'weights-f32.bin';
const CONVERTED_INDEX = 'weights-f32.json';

export const IN_MEMORY_WEIGHTS = 'mechlens-weights-f32.bin';

export interface WeightPlan {
  mode: 'external' | 'converted' | 'memory';
  weight: (name: string) => Weight;
  /** After the graph is built: the folder and in-memory data onnxruntime needs. */
  finish: () => { externalFolder: string; externalData?: { path: string; data: Uint8Array }[]; bytesInMemory: number };
}

export function planWeights(checkpoint: Checkpoint, mode: WeightMode = 'auto', convertedDir?: string): WeightPlan {
  const allF32 = checkpoint.tensorNames.every((n) => checkpoint.tensor(n).info.dtype === 'F32');
  const chosen = mode === 'auto' ? (allF32 ? 'external' : convertedDir ? 'converted' : 'memory') : mode;
  if (chosen === 'converted') {
    if (!convertedDir) throw new RangeError('converted weights need a folder for the sidecar file');
    const index = ensureConvertedWeights(checkpoint, convertedDir);
    return {
      mode: 'converted',
      weight: (name) => {
        const [offset, length] = index[name.startsWith('transformer.') ? name.slice('transformer.'.length) : name];
        return { dims: checkpoint.tensor(name).info.shape, source: { kind: 'external', location: CONVERTED_WEIGHTS, offset, length } };
      },
      finish: () => ({ externalFolder: convertedDir, bytesInMemory: 0 }),
    };
  }
  if (chosen === 'external' && !allF32) {
    const other = checkpoint.tensorNames.find((n) => checkpoint.tensor(n).info.dtype !== 'F32')!;
    throw new RangeError(`external weights need F32 tensors; "${other}" is ${checkpoint.tensor(other).info.dtype}`);
  }
  if (chosen === 'external') {
    // Resolved once: the safetensors files may be symlinks (a hub cache snapshot).
    const paths = resolveExternalDataPaths(checkpoint.dir, checkpoint.files.map((f) => path.relative(checkpoint.dir, f.path)));
    return {
      mode: 'external',
      weight: (name) => {
        const { file, info } = checkpoint.tensor(name);
        return {
          dims: info.shape,
          source: { kind: 'external', location: paths.locations.get(path.relative(checkpoint.dir, file.path))!, offset: info.begin, length: info.end - info.begin },
        };
      },
      finish: () => ({ externalFolder: paths.folder, bytesInMemory: 0 }),
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

/**
 * Writes every tensor as F32 into `dir/weights-f32.bin` once (one tensor in memory at a time),
 * with an index naming the checkpoint revision, and returns name -> [offset, length].
 */
export function ensureConvertedWeights(checkpoint: Checkpoint, dir: string): Record<string, [number, number]> {
  const indexPath = path.join(dir, CONVERTED_INDEX);
  try {
    const index = JSON.parse(fs.readFileSync(indexPath, 'utf8')) as { revision: string; tensors: Record<string, [number, number]>; bytes: number };
    const complete = index.revision === checkpoint.revision && checkpoint.tensorNames.every((n) => index.tensors[n]);
    if (complete && fs.statSync(path.join(dir, CONVERTED_WEIGHTS)).size === index.bytes) return index.tensors;
  } catch {
    // Not there yet (or from another revision): write it below.
  }
  // Each process writes its own temporary file and renames it (atomic-write.ts): two processes
  // converting the same checkpoint at once both end with a whole file, neither with ENOENT.
  const out = openAtomicFile(path.join(dir, CONVERTED_WEIGHTS));
  const tensors: Record<string, [number, number]> = {};
  let offset = 0;
  try {
    for (const name of checkpoint.tensorNames) {
      const values = checkpoint.readF32(name);
      out.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      tensors[name] = [offset, values.byteLength];
      offset += values.byteLength;
    }
  } catch (err) {
    out.abort();
    throw err;
  }
  out.commit();
  writeFileAtomicSync(indexPath, JSON.stringify({ revision: checkpoint.revision, bytes: offset, tensors }));
  return tensors;
}
