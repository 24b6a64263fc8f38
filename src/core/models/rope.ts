// Rotary position embeddings' inverse frequencies, as Hugging Face's modeling_rope_utils computes
// them: the default 1 / theta^(2i/dim), `linear` scaling (divide by factor) and `llama3` scaling
// (_compute_llama3_parameters: long wavelengths divided by factor, short ones kept, a smooth blend
// between). Values are rounded to float32 step by step, as torch computes them in float32.
import { MechLensError } from '../errors';

export interface RopeSpec {
  /** Rotated dims per head (even); the rest of the head passes through unrotated. */
  rotaryDim: number;
  /** rotaryDim / 2 inverse frequencies, float32 values. */
  invFreq: readonly number[];
}

const f32 = Math.fround;

export function ropeInverseFrequencies(rotaryDim: number, theta: number, scaling: Record<string, unknown> | null): RopeSpec {
  const dim = rotaryDim - (rotaryDim % 2);
  // torch: 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim)), all in float32.
  let invFreq = Array.from({ length: dim / 2 }, (_, i) => f32(1 / f32(Math.pow(theta, f32((2 * i) / dim)))));
  if (scaling) {
    const type = (scaling.rope_type ?? scaling.type) as string;
    const factor = Number(scaling.factor);
    if (type === 'linear') {
      invFreq = invFreq.map((f) => f32(f / factor));
    } else if (type === 'llama3') {
      invFreq = llama3(invFreq, factor, Number(scaling.low_freq_factor), Number(scaling.high_freq_factor), Number(scaling.original_max_position_embeddings));
    } else {
      throw new MechLensError('unsupported', `rope scaling type "${type}" is not supported (supported: default, linear, llama3)`, {
        input: 'config.json', fix: 'Use a checkpoint without that rope scaling, or export it to ONNX and open the .onnx file.',
      });
    }
  }
  return Object.freeze({ rotaryDim: dim, invFreq: Object.freeze(invFreq) });
}

function llama3(invFreq: number[], factor: number, lowFreqFactor: number, highFreqFactor: number, oldContextLen: number): number[] {
  const lowFreqWavelen = oldContextLen / lowFreqFactor;
  const highFreqWavelen = oldContextLen / highFreqFactor;
  return invFreq.map((f) => {
    const wavelen = f32((2 * Math.PI) / f);
    const scaled = wavelen > lowFreqWavelen ? f32(f / factor) : f;
    const medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
    if (!medium) return scaled;
    const smooth = f32((oldContextLen / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor));
    return f32(f32((1 - smooth) * f32(scaled / factor)) + f32(smooth * scaled));
  });
}
