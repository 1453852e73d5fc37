/**
 * Node ids as users give them. A graph imported with ids of its own (GraphData.nodeIds) is addressed by those
 * ids everywhere (serving, the dashboard, explanations); every graph is also addressed by node index.
 *
 * The one rule, for every caller: a **string** is an original id, an **integer** is a node index. A graph without an
 * id map has the indices as its ids, so its original id of node i is the decimal text of i. Text inputs (CLI lists,
 * query strings) are strings, so they are original ids; JSON bodies may send either.
 */
import { ErrorCodes, GnnopsError } from '../util/errors.js';

/** A node reference as a client gives it. */
export type NodeRef = string | number;

/** The part of a graph node ids are resolved against. */
export interface NodeIdSource {
  readonly name?: string;
  readonly numNodes: number;
  readonly nodeIds?: readonly string[];
}

/** The reverse map of each id list, built on first use and kept as long as the list is alive. */
const reverse = new WeakMap<readonly string[], Map<string, number>>();

function indexOf(ids: readonly string[]): Map<string, number> {
  let m = reverse.get(ids);
  if (!m) {
    m = new Map();
    for (let i = 0; i < ids.length; i++) m.set(ids[i], i);
    reverse.set(ids, m);
  }
  return m;
}

const DECIMAL = /^(0|[1-9]\d*)$/;

function refError(field: string, message: string, details: Record<string, unknown> = {}): GnnopsError {
  return new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `${field}: ${message}`, { field, ...details });
}

/**
 * The node index of one reference, or an INVALID_ARGUMENT error naming the field and the id. `field` is the
 * reference's place in the input, e.g. `node_ids[3]` or `--nodes`.
 */
export function resolveNodeRef(ref: NodeRef, g: NodeIdSource, field: string): number {
  const n = g.numNodes;
  const of = g.name ? ` of dataset ${g.name}` : '';
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref)) throw refError(field, `${String(ref)} is not an integer node id`);
    if (ref < 0 || ref >= n) {
      throw refError(field, `unknown node id ${ref}: the graph${of} has ${n} nodes (valid 0..${n - 1})`, {
        limit: n - 1,
        value: ref,
      });
    }
    return ref;
  }
  if (g.nodeIds) {
    const i = indexOf(g.nodeIds).get(ref);
    if (i === undefined) {
      throw refError(field, `unknown node id ${JSON.stringify(ref)}: no node${of} has this id`, { value: ref });
    }
    return i;
  }
  if (!DECIMAL.test(ref) || Number(ref) >= n) {
    throw refError(
      field,
      `unknown node id ${JSON.stringify(ref)}: the graph${of} has no ids of its own, its nodes are 0..${n - 1}`,
      { value: ref, limit: n - 1 },
    );
  }
  return Number(ref);
}

/** Node indices of a list of references; each error names its place as `field[k]`. */
export function resolveNodeRefs(refs: readonly NodeRef[], g: NodeIdSource, field = 'node_ids'): Int32Array {
  const out = new Int32Array(refs.length);
  for (let k = 0; k < refs.length; k++) out[k] = resolveNodeRef(refs[k], g, `${field}[${k}]`);
  return out;
}

/** The original id of node index i: its own id when the graph has an id map, else the index. */
export function originalNodeId(g: Pick<NodeIdSource, 'nodeIds'>, i: number): string | number {
  return g.nodeIds ? g.nodeIds[i] : i;
}

/** A comma-separated list of node ids (a CLI flag); blanks around the commas are dropped. */
export function parseNodeList(text: string, field: string): string[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((s) => s.length === 0)) {
    throw refError(field, `"${text}" is not a comma-separated list of node ids`);
  }
  return parts;
}
