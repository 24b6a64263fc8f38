// GPT-2 is one configuration of the decoder graph builder (graph-decoder.ts); these names stay for
// the callers and tests that built "the GPT-2 graph" before the other families came.
export {
  ATTENTION_ALLOWED, INPUT_IDS, POSITION_IDS, READ_ROWS,
  buildDecoderGraph as buildGpt2Graph, layersNeeded, readRowHooks,
  type BuiltGraph, type DecoderGraphSpec as Gpt2GraphSpec,
} from './graph-decoder';
