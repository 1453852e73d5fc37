import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import { modelsRouteSchema, type ServedModelInfo } from '../schemas/admin.js';

/** GET /v1/models: the served model with its metrics and lineage ([] while nothing is loaded). */
export async function modelsRoutes(app: FastifyInstance, ctx: ServeContext): Promise<void> {
  app.get('/v1/models', { schema: modelsRouteSchema }, async () => {
    const e = ctx.holder.current;
    if (!e) return { models: [] };
    const m = e.model;
    const info: ServedModelInfo = {
      name: m.name,
      version: m.version,
      ref: e.ref,
      ready: true,
      num_features: m.numFeatures,
      num_classes: m.numClasses,
      loaded_at: e.loadedAt.toISOString(),
      metrics: m.info.metrics ?? {},
      lineage: m.info.lineage ?? {},
    };
    if (ctx.holder.source !== undefined) info.source = ctx.holder.source;
    if (m.classNames) info.class_names = [...m.classNames];
    if (m.graph) info.graph_nodes = m.graph.numNodes;
    return { models: [info] };
  });
}
