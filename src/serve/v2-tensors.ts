import { ErrorCodes } from '../util/errors.js';
import { requestError } from './errors.js';
import { noGraphError, type ServedModel } from './model.js';
import type { Limits } from './schemas/common.js';
import type { InferTensor } from './schemas/v2.js';
import { BINARY_ELEMENT_SIZE, readTensor } from './v2-binary.js';
import type { SubgraphInput } from './validate.js';
import { copyIndices, FLOAT32_MAX, nonFinite, toNodeIds } from './validate.js';

const FLOAT_TYPES = new Set(['FP32', 'FP64', 'FP16']);
const INT_TYPES = new Set(['INT64', 'INT32', 'INT16', 'INT8', 'UINT64', 'UINT32', 'UINT16', 'UINT8']);

/** What a V2 request asks for: a subgraph, or node ids of the stored graph. */
export type V2Input = { kind: 'subgraph'; subgraph: SubgraphInput } | { kind: 'nodes'; ids: Int32Array };

/**
 * Flatten V2 tensor data (flat row-major, or nested arrays) into numbers, checking each element is a number.
 * Non-numbers are named by their flat index (`inputs[0].data[17]`).
 */
function flatten(data: unknown[] | undefined, field: string, expected: number): number[] {
  if (data === undefined) throw requestError(ErrorCodes.BAD_REQUEST, `${field}.data`, 'is required');
  // one pass for the common case (flat numbers); nested data is flattened and then checked element by element
  let allNumbers = true;
  for (let i = 0; i < data.length; i++) {
    if (typeof data[i] !== 'number') {
      allNumbers = false;
      break;
    }
  }
  const flat: unknown[] = allNumbers || !data.some(Array.isArray) ? data : data.flat(8);
  if (flat.length !== expected) {
    throw requestError(
      ErrorCodes.INVALID_ARGUMENT,
      `${field}.data`,
      `has ${flat.length} values but the shape needs ${expected}`,
    );
  }
  for (let i = 0; !allNumbers && i < flat.length; i++) {
    if (typeof flat[i] !== 'number') {
      throw requestError(
        ErrorCodes.INVALID_ARGUMENT,
        `${field}.data[${i}]`,
        `${JSON.stringify(flat[i]) ?? 'undefined'} is not a number`,
      );
    }
  }
  return flat as number[];
}

function checkType(t: InferTensor, field: string, allowed: Set<string>, want: string): void {
  if (!allowed.has(t.datatype)) {
    throw requestError(
      ErrorCodes.INVALID_ARGUMENT,
      `${field}.datatype`,
      `${t.name} must be ${want}, got ${JSON.stringify(t.datatype)}`,
    );
  }
}

function checkShape(t: InferTensor, field: string, rank: number, what: string): void {
  if (t.shape.length !== rank) {
    throw requestError(
      ErrorCodes.INVALID_ARGUMENT,
      `${field}.shape`,
      `${t.name} must have shape ${what}, got [${t.shape}]`,
    );
  }
}

function limit(field: string, what: string, got: number, max: number): void {
  if (got > max)
    throw requestError(ErrorCodes.LIMIT_EXCEEDED, field, `has ${got} ${what} (limit ${max})`, { limit: max });
}

/**
 * Where each binary input's bytes lie in the binary part of the body (binary tensor data extension): inputs with
 * `parameters.binary_data_size` take consecutive slices in the order of `inputs`. Checks that no input has both
 * `data` and a binary size, that the datatype has a binary form, that each size is shape × element size, and that
 * the sizes add up to the bytes received.
 */
function binaryLayout(inputs: InferTensor[], binary: Buffer | undefined): Map<InferTensor, Buffer> {
  const slices = new Map<InferTensor, Buffer>();
  const available = binary?.length ?? 0;
  let offset = 0;
  inputs.forEach((t, i) => {
    const size = t.parameters?.binary_data_size;
    if (size === undefined) return;
    const field = `inputs[${i}]`;
    if (t.data !== undefined) {
      throw requestError(
        ErrorCodes.BAD_REQUEST,
        field,
        `${t.name} has both data and parameters.binary_data_size; give one (binary_data_size for binary tensor data)`,
      );
    }
    const width = BINARY_ELEMENT_SIZE[t.datatype];
    if (width === undefined) {
      throw requestError(
        ErrorCodes.INVALID_ARGUMENT,
        `${field}.datatype`,
        `${JSON.stringify(t.datatype)} has no binary form here; binary tensors may be ${Object.keys(BINARY_ELEMENT_SIZE).join(', ')}`,
      );
    }
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (size !== count * width) {
      throw requestError(
        ErrorCodes.INVALID_ARGUMENT,
        `${field}.parameters.binary_data_size`,
        `is ${size} bytes but shape [${t.shape}] of ${t.datatype} needs ${count} × ${width} = ${count * width}`,
        { expected: count * width, got: size },
      );
    }
    if (offset + size <= available) slices.set(t, (binary as Buffer).subarray(offset, offset + size));
    offset += size;
  });
  if (offset !== available) {
    throw requestError(
      ErrorCodes.BAD_REQUEST,
      'body',
      binary === undefined
        ? `binary_data_size adds up to ${offset} bytes but the request has no binary part (send Content-Type ` +
            'application/octet-stream with an Inference-Header-Content-Length header)'
        : `the binary part after the JSON has ${available} bytes but the inputs' binary_data_size add up to ${offset}`,
      { expected: offset, got: available },
    );
  }
  return slices;
}

/**
 * The flat values of an input: its JSON `data` (flattened, each a number), or its binary slice as a typed array.
 * Returns the field prefix naming its elements in messages (`inputs[0].data`, `inputs[0].binary_data`).
 */
function valuesOf(
  t: InferTensor,
  field: string,
  expected: number,
  slices: Map<InferTensor, Buffer>,
): { values: ArrayLike<number>; at: string } {
  const bytes = slices.get(t);
  if (bytes === undefined) return { values: flatten(t.data, field, expected), at: `${field}.data` };
  const typed = readTensor(bytes, t.datatype);
  if (!(typed instanceof BigInt64Array)) return { values: typed, at: `${field}.binary_data` };
  // INT64 indices: as doubles (exact below 2^53; larger values are out of range either way)
  const values = new Float64Array(typed.length);
  for (let k = 0; k < typed.length; k++) values[k] = Number(typed[k]);
  return { values, at: `${field}.binary_data` };
}

/** Decode the inputs of a V2 infer request: x [n, F] + edge_index [2, E], or node_ids [k]. */
export function decodeV2Inputs(
  inputs: InferTensor[],
  model: ServedModel,
  limits: Limits,
  /** The binary part of the body (binary tensor data extension), if any. */
  binary?: Buffer,
): V2Input {
  const numFeatures = model.numFeatures;
  const byName = new Map<string, { t: InferTensor; field: string }>();
  inputs.forEach((t, i) => {
    const field = `inputs[${i}]`;
    if (t.name !== 'x' && t.name !== 'edge_index' && t.name !== 'node_ids') {
      throw requestError(
        ErrorCodes.INVALID_ARGUMENT,
        `${field}.name`,
        `unknown input ${JSON.stringify(t.name)}; expected x + edge_index, or node_ids`,
      );
    }
    if (byName.has(t.name))
      throw requestError(ErrorCodes.INVALID_ARGUMENT, `${field}.name`, `input ${t.name} given twice`);
    byName.set(t.name, { t, field });
  });
  const slices = binaryLayout(inputs, binary);

  const ids = byName.get('node_ids');
  if (ids) {
    if (byName.size > 1) {
      throw requestError(ErrorCodes.INVALID_ARGUMENT, 'inputs', 'give either node_ids, or x with edge_index, not both');
    }
    const { t, field } = ids;
    checkType(t, field, INT_TYPES, 'INT64');
    checkShape(t, field, 1, '[k]');
    limit(`${field}.shape`, 'node ids', t.shape[0], limits.maxNodes);
    if (!model.graph) {
      throw noGraphError(model, `${field}.name`, 'send x and edge_index instead');
    }
    const { values, at } = valuesOf(t, field, t.shape[0], slices);
    return { kind: 'nodes', ids: toNodeIds(Array.from(values), model.graph, limits, at) };
  }

  const xs = byName.get('x');
  if (!xs)
    throw requestError(ErrorCodes.BAD_REQUEST, 'inputs', 'missing input x (FP32 [n, F]) or node_ids (INT64 [k])');
  const { t: xt, field: xf } = xs;
  checkType(xt, xf, FLOAT_TYPES, 'FP32');
  checkShape(xt, xf, 2, '[n, F]');
  const [n, F] = xt.shape;
  if (n === 0)
    throw requestError(ErrorCodes.INVALID_ARGUMENT, `${xf}.shape`, 'empty graph: at least 1 node is required');
  limit(`${xf}.shape`, 'nodes', n, limits.maxNodes);
  if (F !== numFeatures) {
    throw requestError(
      ErrorCodes.INVALID_ARGUMENT,
      `${xf}.shape`,
      `wrong feature dimension: ${F} features per node, the model expects ${numFeatures}`,
      { expected: numFeatures, got: F },
    );
  }
  const { values: xv, at: xat } = valuesOf(xt, xf, n * F, slices);
  // binary FP32 arrives as a fresh Float32Array: check it in place instead of copying it again
  const x = xv instanceof Float32Array ? xv : new Float32Array(n * F);
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i];
    if (!(Math.abs(v) <= FLOAT32_MAX)) throw requestError(ErrorCodes.INVALID_ARGUMENT, `${xat}[${i}]`, nonFinite(v));
    x[i] = v;
  }

  const es = byName.get('edge_index');
  if (!es) throw requestError(ErrorCodes.BAD_REQUEST, 'inputs', 'missing input edge_index (INT64 [2, E])');
  const { t: et, field: ef } = es;
  checkType(et, ef, INT_TYPES, 'INT64');
  if (et.shape.length !== 2 || et.shape[0] !== 2) {
    throw requestError(ErrorCodes.INVALID_ARGUMENT, `${ef}.shape`, `edge_index must be 2 × E, got shape [${et.shape}]`);
  }
  const E = et.shape[1];
  limit(`${ef}.shape`, 'edges', E, limits.maxEdges);
  const { values: ev, at: eat } = valuesOf(et, ef, 2 * E, slices);
  const src = new Int32Array(E);
  const dst = new Int32Array(E);
  copyIndices(ev, src, n, eat, 0);
  copyIndices(ev, dst, n, eat, E);
  return { kind: 'subgraph', subgraph: { x, n, numFeatures: F, src, dst } };
}
