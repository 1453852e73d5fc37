import {
  type AttributeMsg,
  AttributeType,
  DataType,
  encodeModel,
  type NodeMsg,
  type TensorMsg,
  type ValueInfoMsg,
} from './proto.js';

/** ONNX opset of the exported graphs (ScatterElements with reduction="add" needs ≥ 16; 18 is the floor). */
export const OPSET = 18;
/** IR version that goes with opset 18. */
export const IR_VERSION = 8;

export type Attr = number | number[] | { tensor: TensorMsg } | { float: number } | { string: string };

function bytesOf(a: Float32Array | BigInt64Array | Uint8Array | Int8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

export function floatTensor(dims: number[], data: ArrayLike<number>, name?: string): TensorMsg {
  return { name, dims, dataType: DataType.FLOAT, rawData: bytesOf(Float32Array.from(data)) };
}

export function int8Tensor(dims: number[], data: Int8Array, name?: string): TensorMsg {
  return { name, dims, dataType: DataType.INT8, rawData: bytesOf(data) };
}

export function int64Tensor(dims: number[], data: readonly number[], name?: string): TensorMsg {
  return { name, dims, dataType: DataType.INT64, rawData: bytesOf(BigInt64Array.from(data.map((v) => BigInt(v)))) };
}

/**
 * A small builder for ONNX graphs: `node(op, inputs, attrs)` returns the name of its (first) output, so a graph
 * reads like the formula it computes. Names are generated (`op_7`); initializers hold weights and constants.
 */
export class GraphBuilder {
  private readonly nodes: NodeMsg[] = [];
  private readonly inits: TensorMsg[] = [];
  private readonly inputs: ValueInfoMsg[] = [];
  private readonly outputs: ValueInfoMsg[] = [];
  private seq = 0;

  constructor(private readonly name: string) {}

  input(name: string, elemType: number, dims: (number | string)[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: number, dims: (number | string)[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** Add a weight or constant; returns its name. */
  init(t: TensorMsg, hint = 'const'): string {
    const name = t.name ?? `${hint}_${this.seq++}`;
    this.inits.push({ ...t, name });
    return name;
  }

  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}, outputName?: string): string {
    const out = outputName ?? `${op.toLowerCase()}_${this.seq++}`;
    const attribute: AttributeMsg[] = Object.entries(attrs).map(([name, v]) => {
      if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
      if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
      if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
      if ('string' in v) return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v.string) };
      return { name, type: AttributeType.TENSOR, t: v.tensor };
    });
    this.nodes.push({ input: inputs, output: [out], name: out, opType: op, attribute });
    return out;
  }

  /** The serialised ModelProto. */
  encode(meta: { docString?: string; metadata?: Record<string, string> } = {}): Uint8Array {
    return encodeModel({
      irVersion: IR_VERSION,
      producerName: 'gnnops',
      producerVersion: '0.1.0',
      docString: meta.docString,
      opsetImport: [{ domain: '', version: OPSET }],
      metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: { name: this.name, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
    });
  }
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfoMsg {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
