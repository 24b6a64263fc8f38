// A small typed builder for ONNX graphs on top of onnx-proto (protobufjs), so the GPT-2 graph in
// graph-gpt2.ts reads like the math. Also reads any .onnx file back to list its tensors, which is
// how "open any ONNX file and hook a tensor by name" works.
import fs from 'node:fs';
import { onnx } from 'onnx-proto';
import { MechLensError } from '../errors';
import { editDistance } from '../text/edit-distance';

/** Opset 17 is the first with LayerNormalization; IR 8 is the newest onnx-proto's schema knows. */
export const OPSET = 17;
export const IR_VERSION = 8;
/** onnxruntime's contrib ops (FastGelu, SkipLayerNormalization, ...) live in this domain, version 1. */
export const MS_DOMAIN = 'com.microsoft';

export type Dim = number | string;
export type ElemType = 'float32' | 'float64' | 'int64' | 'bool';

const ELEM: Record<ElemType, onnx.TensorProto.DataType> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** Where an initializer's bytes live: in the model, or as external data inside another file. */
export type WeightData =
  | { kind: 'inline'; data: Float32Array }
  | { kind: 'external'; location: string; offset: number; length: number };

export interface Weight {
  dims: number[];
  source: WeightData;
}

type AttrValue = number | string | number[] | { ints: number[] } | { float: number } | onnx.ITensorProto;

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly weights = new Map<string, () => Weight>();
  private readonly domains = new Set<string>();
  private counter = 0;
  /** Bytes of weights stored inside the model (not as external data). */
  inlineBytes = 0;

  /** A fresh tensor name; `hint` keeps graphs readable in Netron. */
  fresh(hint: string): string {
    let name = `${hint}__${this.counter++}`;
    while (this.names.has(name)) name = `${hint}__${this.counter++}`;
    this.names.add(name);
    return name;
  }

  input(name: string, elem: ElemType, dims: Dim[]): string {
    this.names.add(name);
    this.inputs.push(valueInfo(name, elem, dims));
    return name;
  }

  output(name: string, elem: ElemType, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elem, dims));
  }

  /**
   * Adds one node; returns its output names. `outputs` may name hook tensors explicitly; an empty
   * name leaves an optional output out (ONNX's convention).
   */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs: string[] | number = 1, domain = ''): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType)) : outputs;
    for (const o of outs) if (o) this.names.add(o);
    if (domain) this.domains.add(domain);
    this.nodes.push({
      opType,
      domain,
      name: this.fresh(`node_${opType}`),
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** One-output convenience for op(). `out` names the result (for hook tensors). */
  op1(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, out?: string, domain = ''): string {
    return this.op(opType, inputs, attrs, out ? [out] : 1, domain)[0];
  }

  constInt64(values: number[], dims: number[] = [values.length], hint = 'const_i64'): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType: ELEM.int64, dims, int64Data: values });
    return name;
  }

  constFloat(values: number[], dims: number[] = [values.length], hint = 'const_f32'): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType: ELEM.float32, dims, floatData: values });
    return name;
  }

  /**
   * Declares a weight initializer (once per name). The thunk runs only at encode(), and only for
   * weights that the graph outputs depend on, so pruned parts never touch their weights.
   */
  weight(name: string, w: Weight | (() => Weight)): string {
    if (this.weights.has(name)) return name;
    this.weights.set(name, typeof w === 'function' ? w : () => w);
    this.names.add(name);
    return name;
  }

  private materialize(name: string, w: Weight): onnx.ITensorProto {
    const count = w.dims.reduce((a, b) => a * b, 1);
    if (w.source.kind === 'inline') {
      if (w.source.data.length !== count) throw new RangeError(`weight ${name}: ${w.source.data.length} values for dims [${w.dims}]`);
      const d = w.source.data;
      this.inlineBytes += d.byteLength;
      return { name, dataType: ELEM.float32, dims: w.dims, rawData: new Uint8Array(d.buffer, d.byteOffset, d.byteLength) };
    }
    if (w.source.length !== count * 4) throw new RangeError(`weight ${name}: ${w.source.length} bytes for dims [${w.dims}]`);
    return {
      name,
      dataType: ELEM.float32,
      dims: w.dims,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: w.source.location },
        { key: 'offset', value: String(w.source.offset) },
        { key: 'length', value: String(w.source.length) },
      ],
    };
  }

  /** Drops every node and initializer that no graph output depends on. */
  prune(): void {
    const live = new Set(this.outputs.map((o) => o.name ?? ''));
    const kept: onnx.INodeProto[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      if (!(node.output ?? []).some((o) => live.has(o))) continue;
      kept.push(node);
      for (const input of node.input ?? []) if (input) live.add(input);
    }
    this.nodes.splice(0, this.nodes.length, ...kept.reverse());
    for (let i = this.initializers.length - 1; i >= 0; i--) if (!live.has(this.initializers[i].name ?? '')) this.initializers.splice(i, 1);
    for (const name of [...this.weights.keys()]) if (!live.has(name)) this.weights.delete(name);
    for (let i = this.inputs.length - 1; i >= 0; i--) if (!live.has(this.inputs[i].name ?? '')) this.inputs.splice(i, 1);
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Prunes, reads the live weights (in declaration order) and serializes the model. */
  encode(graphName: string): Uint8Array {
    this.prune();
    const weights = [...this.weights].map(([name, thunk]) => this.materialize(name, thunk()));
    const model: onnx.IModelProto = {
      irVersion: IR_VERSION,
      producerName: 'mechlens',
      opsetImport: [{ domain: '', version: OPSET }, ...[...this.domains].map((domain) => ({ domain, version: 1 }))],
      graph: { name: graphName, node: this.nodes, initializer: [...weights, ...this.initializers], input: this.inputs, output: this.outputs },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}

function valueInfo(name: string, elem: ElemType, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[elem],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('ints' in v && Array.isArray(v.ints)) return { name, type: T.INTS, ints: v.ints };
  if ('float' in v && typeof v.float === 'number') return { name, type: T.FLOAT, f: v.float };
  return { name, type: T.TENSOR, t: v as onnx.ITensorProto };
}

// ---------------------------------------------------------------------------------------------
// Reading arbitrary .onnx files

export interface OnnxTensorInfo {
  name: string;
  /** Where the tensor comes from: a graph input, an initializer, or a node output. */
  kind: 'input' | 'initializer' | 'node-output';
  /** The op that produces it (node outputs only). */
  producer?: string;
  /** Element type and shape when the file declares them (inputs, outputs, value_info, initializers). */
  elemType?: string;
  dims?: Dim[];
  isGraphOutput: boolean;
}

export interface OnnxModelFile {
  path: string;
  model: onnx.ModelProto;
  tensors: OnnxTensorInfo[];
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
}

const ELEM_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

/** Decodes an .onnx file and lists every tensor in its main graph. Throws a clear error for non-ONNX files. */
export function openOnnxModel(file: string): OnnxModelFile {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new MechLensError('not-found', 'cannot read the ONNX file', { input: file, fix: 'Check the path.', cause: err });
  }
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw notOnnx(file, err);
  }
  if (!model.graph || ((model.graph.node ?? []).length === 0 && (model.graph.input ?? []).length === 0) || !model.irVersion) throw notOnnx(file);
  return { path: file, model, ...listOnnxTensors(model) };
}

function notOnnx(file: string, cause?: unknown): MechLensError {
  return new MechLensError('format', 'is not an ONNX model (no ModelProto with a graph could be decoded)', {
    input: file,
    fix: 'Pass a .onnx file exported by torch.onnx, tf2onnx or optimum, or a Hugging Face checkpoint folder (config.json + model.safetensors).',
    cause,
  });
}

export function listOnnxTensors(model: onnx.IModelProto): { tensors: OnnxTensorInfo[]; inputs: OnnxTensorInfo[]; outputs: OnnxTensorInfo[] } {
  const graph = model.graph ?? {};
  const declared = new Map<string, { elemType?: string; dims?: Dim[] }>();
  const outputNames = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  for (const vi of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) {
    const tt = vi.type?.tensorType;
    declared.set(vi.name ?? '', {
      elemType: tt?.elemType != null ? ELEM_NAMES[tt.elemType] : undefined,
      dims: tt?.shape?.dim?.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue ?? 0))),
    });
  }
  const seen = new Set<string>();
  const tensors: OnnxTensorInfo[] = [];
  const add = (t: OnnxTensorInfo) => {
    if (!t.name || seen.has(t.name)) return;
    seen.add(t.name);
    tensors.push(t);
  };
  const initializerNames = new Set<string>();
  for (const init of graph.initializer ?? []) {
    initializerNames.add(init.name ?? '');
    add({ name: init.name ?? '', kind: 'initializer', elemType: ELEM_NAMES[init.dataType ?? 0], dims: (init.dims ?? []).map(Number), isGraphOutput: false });
  }
  const inputs: OnnxTensorInfo[] = [];
  for (const vi of graph.input ?? []) {
    if (initializerNames.has(vi.name ?? '')) continue; // old exporters list initializers as inputs too
    const t: OnnxTensorInfo = { name: vi.name ?? '', kind: 'input', ...declared.get(vi.name ?? ''), isGraphOutput: false };
    inputs.push(t);
    add(t);
  }
  for (const node of graph.node ?? []) {
    for (const out of node.output ?? []) {
      if (!out) continue;
      add({ name: out, kind: 'node-output', producer: node.opType ?? undefined, ...declared.get(out), isGraphOutput: outputNames.has(out) });
    }
  }
  const outputs = tensors.filter((t) => t.isGraphOutput);
  return { tensors, inputs, outputs };
}

/**
 * Re-encodes `model` so that exactly `tensorNames` are its graph outputs (any node output may be
 * hooked). Types are copied from value_info when the file has them; otherwise they are left to
 * onnxruntime's shape inference.
 */
export function withOutputs(model: onnx.IModelProto, tensorNames: string[], externalLocations?: ReadonlyMap<string, string>): Uint8Array {
  const graph = model.graph ?? {};
  const { tensors } = listOnnxTensors(model);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const declared = new Map([...(graph.output ?? []), ...(graph.valueInfo ?? [])].map((v) => [v.name ?? '', v]));
  const output: onnx.IValueInfoProto[] = tensorNames.map((name) => {
    const t = byName.get(name);
    if (!t || t.kind !== 'node-output') {
      throw new MechLensError('not-found', `tensor "${name}" is not a node output of this ONNX graph`, {
        input: name,
        fix: `Pick a tensor from "mechlens hooks --model FILE.onnx"${closeNames(name, tensors.map((x) => x.name))}.`,
      });
    }
    return declared.get(name) ?? { name };
  });
  const initializer = externalLocations ? (graph.initializer ?? []).map((t) => relocated(t, externalLocations)) : graph.initializer;
  const copy = onnx.ModelProto.create({ ...model, graph: { ...graph, output, initializer } });
  return onnx.ModelProto.encode(copy).finish();
}

/** The external-data file names the graph's initializers refer to. */
export function externalDataLocations(model: onnx.IModelProto): string[] {
  const locations = new Set<string>();
  for (const t of model.graph?.initializer ?? []) {
    for (const e of t.externalData ?? []) if (e.key === 'location' && e.value) locations.add(e.value);
  }
  return [...locations];
}

function relocated(tensor: onnx.ITensorProto, locations: ReadonlyMap<string, string>): onnx.ITensorProto {
  if (!tensor.externalData?.length) return tensor;
  return { ...tensor, externalData: tensor.externalData.map((e) => (e.key === 'location' && e.value && locations.has(e.value) ? { ...e, value: locations.get(e.value) } : e)) };
}

/** ", e.g. a, b, c" with the names closest to `wanted`, for error messages. */
export function closeNames(wanted: string, names: string[], count = 5): string {
  const scored = names.map((n) => ({ n, d: editDistance(wanted.toLowerCase(), n.toLowerCase()) })).sort((a, b) => a.d - b.d);
  const best = scored.slice(0, count).map((s) => s.n);
  return best.length ? `; closest: ${best.join(', ')}` : '';
}
