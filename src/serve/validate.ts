import { type NodeIdSource, type NodeRef, resolveNodeRefs } from '../data/node-ids.js';
import { ErrorCodes } from '../util/errors.js';
import { requestError } from './errors.js';
import type { Limits } from './schemas/common.js';

/** Largest finite float32: features are stored as float32, so larger finite doubles would become Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** A request's subgraph as the model takes it. */
export interface SubgraphInput {
  /** Row-major n × F. */
  x: Float32Array;
  n: number;
  numFeatures: number;
  src: Int32Array;
  dst: Int32Array;
}

/**
 * Check the parts of a subgraph a JSON Schema cannot: every row has the model's F values (ragged rows and a wrong
 * feature dimension are told apart), values are finite (1e999 parses to Infinity), the graph is not empty, both
 * edge_index rows have E entries and every index lies in [0, n). Types and size limits were checked by the schema.
 * @param field prefix naming the subgraph in messages (`` or `instances[2].`)
 */
export function toSubgraph(
  body: { x: number[][]; edge_index: number[][] },
  numFeatures: number,
  limits: Limits,
  field = '',
): SubgraphInput {
  const rows = body.x;
  const n = rows.length;
  if (n === 0) throw requestError(ErrorCodes.INVALID_ARGUMENT, `${field}x`, 'empty graph: at least 1 node is required');
  if (n > limits.maxNodes) {
    throw requestError(ErrorCodes.LIMIT_EXCEEDED, `${field}x`, `has ${n} nodes (limit ${limits.maxNodes})`, {
      limit: limits.maxNodes,
    });
  }
  const F = numFeatures;
  const x = new Float32Array(n * F);
  const first = rows[0].length;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (row.length !== F) {
      const msg =
        row.length !== first
          ? `ragged x: row ${i} has ${row.length} values but row 0 has ${first}`
          : `wrong feature dimension: ${row.length} values per node, the model expects ${F}`;
      throw requestError(ErrorCodes.INVALID_ARGUMENT, `${field}x[${i}]`, msg, { expected: F, got: row.length });
    }
    const off = i * F;
    for (let j = 0; j < F; j++) {
      const v = row[j];
      if (!(Math.abs(v) <= FLOAT32_MAX)) {
        throw requestError(ErrorCodes.INVALID_ARGUMENT, `${field}x[${i}][${j}]`, nonFinite(v));
      }
      x[off + j] = v;
    }
  }
  const ei = body.edge_index;
  if (ei.length !== 2) {
    throw requestError(ErrorCodes.INVALID_ARGUMENT, `${field}edge_index`, `must be 2 × E, got ${ei.length} rows`);
  }
  const [s, d] = ei;
  if (s.length !== d.length) {
    throw requestError(
      ErrorCodes.INVALID_ARGUMENT,
      `${field}edge_index`,
      `must be 2 × E: row 0 has ${s.length} entries, row 1 has ${d.length}`,
    );
  }
  const E = s.length;
  if (E > limits.maxEdges) {
    throw requestError(ErrorCodes.LIMIT_EXCEEDED, `${field}edge_index`, `has ${E} edges (limit ${limits.maxEdges})`, {
      limit: limits.maxEdges,
    });
  }
  const src = new Int32Array(E);
  const dst = new Int32Array(E);
  copyIndices(s, src, n, `${field}edge_index[0]`);
  copyIndices(d, dst, n, `${field}edge_index[1]`);
  return { x, n, numFeatures: F, src, dst };
}

/** The message for a value that is not a finite float32. */
export function nonFinite(v: number): string {
  return Number.isFinite(v)
    ? `${v} is outside the float32 range (|x| ≤ 3.4e38)`
    : `${String(v)} is not a finite number`;
}

/**
 * Copy `to.length` node indices from `from[offset..]`, each an integer in [0, n). Messages name the element by its
 * position in `from` (`field[offset + k]`).
 */
export function copyIndices(from: ArrayLike<number>, to: Int32Array, n: number, field: string, offset = 0): void {
  for (let k = 0; k < to.length; k++) {
    const v = from[offset + k];
    if (!Number.isInteger(v)) {
      throw requestError(
        ErrorCodes.INVALID_ARGUMENT,
        `${field}[${offset + k}]`,
        `${String(v)} is not an integer node index`,
      );
    }
    if (v < 0 || v >= n) {
      throw requestError(
        ErrorCodes.INVALID_ARGUMENT,
        `${field}[${offset + k}]`,
        `node index ${v} is out of range: the subgraph has ${n} nodes (valid 0..${n - 1})`,
        { limit: n - 1 },
      );
    }
    to[k] = v;
  }
}

/**
 * Node indices of the served graph from a request's node ids: a non-empty list within the batch limit, each an
 * original id (a string) or a node index (an integer), resolved by data/node-ids.ts.
 */
export function toNodeIds(
  ids: readonly NodeRef[],
  graph: NodeIdSource,
  limits: Pick<Limits, 'maxNodes'>,
  field = 'node_ids',
): Int32Array {
  if (ids.length === 0) throw requestError(ErrorCodes.INVALID_ARGUMENT, field, 'is empty: give at least 1 node id');
  if (ids.length > limits.maxNodes) {
    throw requestError(ErrorCodes.LIMIT_EXCEEDED, field, `has ${ids.length} ids (limit ${limits.maxNodes})`, {
      limit: limits.maxNodes,
    });
  }
  return resolveNodeRefs(ids, graph, field);
}
