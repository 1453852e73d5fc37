import type { FastifyInstance } from 'fastify';
import { originalNodeId } from '../../data/node-ids.js';
import type { ServeContext } from '../context.js';
import { predictNodes } from '../inference.js';
import { noGraphError } from '../model.js';
import { type NodePrediction, type NodesBody, type NodesResponse, nodesRouteSchema } from '../schemas/nodes.js';
import { toNodeIds } from '../validate.js';

/** POST /v1/predict/nodes: classify nodes of the served graph by id (the id list is the batch). */
export async function nodesRoutes(app: FastifyInstance, ctx: ServeContext): Promise<void> {
  app.post<{ Body: NodesBody; Reply: NodesResponse }>(
    '/v1/predict/nodes',
    { schema: nodesRouteSchema(ctx.limits) },
    async (req) => {
      const entry = ctx.holder.acquire();
      try {
        const model = entry.model;
        const graph = model.graph;
        if (!graph) {
          throw noGraphError(model, 'node_ids', 'send a subgraph to POST /predict instead');
        }
        const ids = toNodeIds(req.body.node_ids, graph, ctx.limits);
        const p = await predictNodes(
          ctx,
          model,
          ids,
          { route: '/v1/predict/nodes', requestId: req.id },
          { calibrated: req.body.calibrated, ood: req.body.ood_score },
        );
        const C = model.numClasses;
        const predictions: NodePrediction[] = new Array(ids.length);
        for (let k = 0; k < ids.length; k++) {
          const c = p.classes[k];
          const item: NodePrediction = {
            node_id: originalNodeId(graph, ids[k]),
            class: c,
            probabilities: Array.from(p.probs.subarray(k * C, (k + 1) * C)),
          };
          const label = model.classNames?.[c];
          if (label !== undefined) item.label = label;
          const title = graph.titles?.[ids[k]];
          if (title) item.title = title;
          if (p.ood) item.ood_score = p.ood[k];
          predictions[k] = item;
        }
        return { model: model.name, version: model.version, temperature: p.temperature, predictions };
      } finally {
        ctx.holder.release(entry);
      }
    },
  );
}
