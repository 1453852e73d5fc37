/**
 * The one JSON form of an explanation, written by `gnnops explain --json` and returned by POST /v1/explain/nodes
 * (whose route schema in serve/schemas/explain.ts describes these fields).
 */

import type { Fidelity, NodeExplanation } from './explain.js';
import type { ExplainMethod } from './methods.js';

export interface ExplainedEdge {
  source: number;
  target: number;
  importance: number;
}

export interface ExplanationJson extends Fidelity {
  node_id: number;
  method: ExplainMethod;
  class: number;
  label?: string;
  probability: number;
  hops: number;
  /** Global ids of the computation subgraph's nodes, the explained node first. */
  nodes: number[];
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

export function explanationJson(e: NodeExplanation, classNames?: readonly string[]): ExplanationJson {
  const edges: ExplainedEdge[] = Array.from(e.src, (s, k) => ({
    source: s,
    target: e.dst[k],
    importance: e.edgeImportance[k],
  }));
  const out: ExplanationJson = {
    node_id: e.node,
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
  const label = classNames?.[e.predicted];
  if (label !== undefined) out.label = label;
  return out;
}
