/**
 * The one JSON form of an explanation, written by `gnnops explain --json` and returned by POST /v1/explain/nodes
 * (whose route schema in serve/schemas/explain.ts describes these fields).
 */

import { originalNodeId } from '../data/node-ids.js';
import type { Fidelity, NodeExplanation } from './explain.js';
import type { ExplainMethod } from './methods.js';

export interface ExplainedEdge {
  source: number;
  target: number;
  importance: number;
}

export interface ExplanationJson extends Fidelity {
  /** The explained node's original id: its own id in a dataset imported with ids, else its index. */
  node_id: string | number;
  /** The explained node's index (the ids in `nodes` and `edges` are indices). */
  node_index: number;
  method: ExplainMethod;
  class: number;
  label?: string;
  probability: number;
  hops: number;
  /** Global indices of the computation subgraph's nodes, the explained node first. */
  nodes: number[];
  /** The original id of each of `nodes`, for a dataset imported with ids of its own. */
  node_ids?: string[];
  /** Hop distance of each of `nodes` from the explained node. */
  distance: number[];
  /** Every explained edge (messages flow source → target) with its importance. */
  edges: ExplainedEdge[];
  /** The top-k edges, most important first: the edges fidelity is measured on. */
  top_edges: ExplainedEdge[];
  top_features: { feature: number; importance: number }[];
  /** One importance per feature column. */
  feature_importance: number[];
  ms: number;
}

/** `nodeIds`: the graph's original node ids (GraphData.nodeIds), when it has them. */
export function explanationJson(
  e: NodeExplanation,
  classNames?: readonly string[],
  nodeIds?: readonly string[],
): ExplanationJson {
  const edges: ExplainedEdge[] = Array.from(e.src, (s, k) => ({
    source: s,
    target: e.dst[k],
    importance: e.edgeImportance[k],
  }));
  const out: ExplanationJson = {
    node_id: originalNodeId({ nodeIds }, e.node),
    node_index: e.node,
    method: e.method,
    class: e.predicted,
    probability: e.probability,
    hops: e.hops,
    nodes: Array.from(e.nodes),
    distance: Array.from(e.distance),
    edges,
    top_edges: Array.from(e.topEdges, (k) => edges[k]),
    top_features: Array.from(e.topFeatures, (f) => ({ feature: f, importance: e.featureImportance[f] })),
    feature_importance: Array.from(e.featureImportance),
    ...e.fidelity,
    ms: e.ms,
  };
  if (nodeIds) out.node_ids = Array.from(e.nodes, (v) => nodeIds[v]);
  const label = classNames?.[e.predicted];
  if (label !== undefined) out.label = label;
  return out;
}
