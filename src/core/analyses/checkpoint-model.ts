// The model of a job that reads a Hugging Face checkpoint (its config, weights and tokenizer), as
// the lens, attribution, heads and attention jobs load it.
import { MechLensError } from '../errors';
import { loadModel, type Gpt2Model } from '../models/capture-model';
import { ensureModel } from '../models/hub';
import { assertModelFits } from '../models/weight-memory';
import type { RunControl } from '../run-control';

export interface CheckpointModelInput {
  /** A hub id or a local folder. */
  model: string;
  cacheDir?: string;
  offline?: boolean;
}

/**
 * "Loading MODEL" with the download's status as progress, then the checkpoint: an .onnx file is
 * refused with `refusal` (what the job needs, and what to do), and a model larger than the memory
 * share with the memory guard's message.
 */
export async function loadCheckpointModel(input: CheckpointModelInput, control: RunControl, refusal: { needs: string; fix: string }): Promise<{ dir: string; model: Gpt2Model }> {
  control.onProgress?.({ message: `Loading ${input.model}`, fraction: 0 });
  const dir = await ensureModel(input.model, { cacheDir: input.cacheDir, offline: input.offline, signal: control.signal, onStatus: (message) => control.onProgress?.({ message }) });
  const model = await loadModel(dir);
  if (model.kind !== 'gpt2') throw new MechLensError('unsupported', refusal.needs, { input: input.model, fix: refusal.fix });
  assertModelFits(model, input.model);
  return { dir, model };
}
