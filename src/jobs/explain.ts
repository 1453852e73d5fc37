/**
 * `gnnops explain` as a workflow: resolve the model (a registry reference or a checkpoint, as gnnops evaluate does),
 * restore it on its graph, explain each node asked, average the fidelity, and optionally write one SVG per node.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type NodeRef, resolveNodeRef } from '../data/node-ids.js';
import { explainNode, type Fidelity, meanFidelity, type NodeExplanation } from '../explain/explain.js';
import { type ExplanationJson, explanationJson } from '../explain/json.js';
import type { ExplainMethod } from '../explain/methods.js';
import { explanationSvg } from '../explain/svg.js';
import { restoreTask } from '../train/restore.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { localModelTarget } from './model-target.js';

export interface ExplainJobOptions {
  model?: string;
  checkpoint?: string;
  /** Nodes to explain, as data/node-ids.ts reads them: original ids (strings) or indices (integers). */
  nodes: readonly NodeRef[];
  method: ExplainMethod;
  topK: number;
  seed?: number;
  dataFile?: string;
  mirror?: string;
  /** Folder for one SVG per node. */
  out?: string;
  /** After each node (progress). */
  onNode?: (done: number, total: number, e: NodeExplanation) => void;
}

export interface ExplainReport extends Fidelity {
  model_name: string | null;
  model_version: number | null;
  checkpoint: string;
  dataset: string;
  synthetic: boolean;
  model: string;
  method: ExplainMethod;
  top_k: number;
  explanations: ExplanationJson[];
  /** SVG files written with --out. */
  files: string[];
}

/** A node id as part of a file name; an id with characters a file name cannot hold gets its index appended. */
function fileSafe(id: string | number, index: number): string {
  const s = String(id);
  const safe = s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  return safe === s ? s : `${safe}-${index}`;
}

export async function explainJob(o: ExplainJobOptions): Promise<ExplainReport> {
  if (o.nodes.length === 0)
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, '--nodes: give at least one node id', { field: 'nodes' });
  const target = await localModelTarget(o, 'explain');
  const r = await restoreTask(target.checkpoint, { dataFile: o.dataFile, mirror: o.mirror });
  try {
    const nodes = Array.from(o.nodes, (v) => resolveNodeRef(v, r.data, '--nodes'));
    const g = { structure: r.data, features: r.data.features, numFeatures: r.data.numFeatures };
    const classNames = r.ckpt.meta.classNames ?? r.data.classNames;
    const list: NodeExplanation[] = [];
    for (const v of nodes) {
      const e = explainNode(r.task.tape, r.task.model, g, v, { method: o.method, topK: o.topK, seed: o.seed });
      list.push(e);
      o.onNode?.(list.length, o.nodes.length, e);
    }
    const explanations = list.map((e) => explanationJson(e, classNames, r.data.nodeIds));
    const files: string[] = [];
    if (o.out) {
      mkdirSync(o.out, { recursive: true });
      for (const e of explanations) {
        const file = join(o.out, `explain-node-${fileSafe(e.node_id, e.node_index)}-${o.method}.svg`);
        writeFileAtomic(file, explanationSvg(e));
        files.push(file);
      }
    }
    return {
      model_name: target.model?.name ?? null,
      model_version: target.model?.version ?? null,
      checkpoint: target.checkpoint,
      dataset: r.data.name,
      synthetic: r.data.synthetic === true,
      model: r.ckpt.meta.model.name,
      method: o.method,
      top_k: o.topK,
      ...meanFidelity(list),
      explanations,
      files,
    };
  } finally {
    r.dispose();
  }
}
