import type { FastifyInstance } from 'fastify';
import { meanFidelity } from '../../explain/explain.js';
import type { ExplainMethod } from '../../explain/methods.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import type { ServeContext } from '../context.js';
import { requestError } from '../errors.js';
import { noGraphError } from '../model.js';
import { type ExplainBody, type ExplainResponse, explainRouteSchema } from '../schemas/explain.js';
import { toNodeIds } from '../validate.js';

/** POST /v1/explain/nodes: edge and feature importances for nodes of the served graph, with fidelity. */
export async function explainRoutes(app: FastifyInstance, ctx: ServeContext): Promise<void> {
  const limitS = ctx.config.explain_time_limit_s;
  app.post<{ Body: ExplainBody; Reply: ExplainResponse }>(
    '/v1/explain/nodes',
    { schema: explainRouteSchema(ctx.limits) },
    async (req) => {
      const entry = ctx.holder.acquire();
      try {
        const model = entry.model;
        const graph = model.graph;
        if (!graph) throw noGraphError(model, 'node_ids', 'explanations need the stored graph');
        const ids = toNodeIds(req.body.node_ids, graph, { maxNodes: ctx.limits.maxExplainNodes });
        if (!model.explainNodes) {
          throw new GnnopsError(
            ErrorCodes.NOT_AVAILABLE,
            `model ${model.name}/${model.version} is served by a runtime that cannot explain (explanations need the native runtime: serve.runtime=native)`,
            { field: 'runtime' },
          );
        }
        const method: ExplainMethod = req.body.method ?? 'saliency';
        const topK = req.body.top_k ?? 5;
        const explanations = model.explainNodes(ids, {
          method,
          topK,
          timeLimitMs: limitS * 1000,
          timeLimitError: (k, ms) =>
            requestError(
              ErrorCodes.LIMIT_EXCEEDED,
              `node_ids[${k}]`,
              `explaining node ${JSON.stringify(req.body.node_ids[k])} with ${method} took over ${limitS} s (${(ms / 1000).toFixed(2)} s so far; serve.explain_time_limit_s)${method === 'gnnexplainer' ? '; saliency is about a hundred times faster' : ''}`,
              { limit: limitS },
            ),
        });
        const fid = meanFidelity(
          explanations.map((e) => ({
            fidelity: {
              fidelity_plus: e.fidelity_plus,
              fidelity_minus: e.fidelity_minus,
              fidelity_random: e.fidelity_random,
            },
          })),
        );
        return { model: model.name, version: model.version, method, top_k: topK, ...fid, explanations };
      } finally {
        ctx.holder.release(entry);
      }
    },
  );
}
