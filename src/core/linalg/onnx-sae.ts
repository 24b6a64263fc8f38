// The SAE encode as one onnxruntime graph: x_in = x − b_dec (when the SAE says so), pre = x_in·W_enc +
// b_enc on MLAS, and the activation (ReLU; JumpReLU's threshold mask, with or without SAELens's ReLU),
// so bias, threshold and activation run inside onnxruntime, and f is written straight into the
// caller's array (a preallocated output: no copy out of onnxruntime, no second 4-byte-per-feature
// pass in JavaScript). topk keeps pre-activations here; its top k is taken by the caller.
import type { SyncCpuSession } from '../models/runtime';
import { linalgSession } from './onnx-gemm';

export type SaeGraphActivation = 'relu' | 'jumprelu' | 'jump-no-relu' | 'none';

function saeModel(activation: SaeGraphActivation, subtractBDec: boolean): Uint8Array {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GraphBuilder } = require('../models/onnx-graph') as typeof import('../models/onnx-graph');
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', ['m', 'k']);
  const w = g.input('w', 'float32', ['k', 'n']);
  const b = g.input('b', 'float32', ['n']);
  const xIn = subtractBDec ? g.op1('Sub', [x, g.input('b_dec', 'float32', ['k'])]) : x;
  const pre = g.op1('Add', [g.op1('MatMul', [xIn, w]), b]);
  const mask = () => g.op1('Cast', [g.op1('Greater', [pre, g.input('threshold', 'float32', ['n'])])], { to: 1 });
  if (activation === 'relu') g.op1('Relu', [pre], {}, 'f');
  else if (activation === 'jumprelu') g.op1('Mul', [g.op1('Relu', [pre]), mask()], {}, 'f');
  else if (activation === 'jump-no-relu') g.op1('Mul', [pre, mask()], {}, 'f');
  else g.op1('Identity', [pre], {}, 'f');
  g.output('f', 'float32', ['m', 'n']);
  return g.encode('linalg_sae_encode');
}

function session(activation: SaeGraphActivation, subtractBDec: boolean): SyncCpuSession {
  return linalgSession(`sae:${activation}:${subtractBDec ? 'bdec' : 'x'}`, () => saeModel(activation, subtractBDec));
}

export interface SaeGraphInputs {
  /** rows × dIn, already normalized. */
  x: Float32Array;
  rows: number;
  /** dIn × width. */
  w: Float32Array;
  dIn: number;
  width: number;
  bEnc: Float32Array;
  /** Subtracted from x first when given. */
  bDec?: Float32Array;
  threshold?: Float32Array;
}

/** f (rows × width) of the SAE encode, computed inside onnxruntime into a new array. */
export function saeEncodeOnnx(activation: SaeGraphActivation, i: SaeGraphInputs): Float32Array {
  const f = new Float32Array(i.rows * i.width);
  const feeds: Parameters<SyncCpuSession['run']>[0] = {
    x: { data: i.x, dims: [i.rows, i.dIn] }, w: { data: i.w, dims: [i.dIn, i.width] }, b: { data: i.bEnc, dims: [i.width] },
  };
  if (i.bDec) feeds.b_dec = { data: i.bDec, dims: [i.dIn] };
  if (activation === 'jumprelu' || activation === 'jump-no-relu') feeds.threshold = { data: i.threshold!, dims: [i.width] };
  session(activation, !!i.bDec).run(feeds, ['f'], { f: { data: f, dims: [i.rows, i.width] } });
  return f;
}
