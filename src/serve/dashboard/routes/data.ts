import type { FastifyInstance } from 'fastify';
import type { GraphData } from '../../../data/graph.js';
import { type GraphStats, graphStats } from '../../../data/stats.js';
import { hiddenEmbedding } from '../embedding.js';
import { pca2 } from '../projection.js';
import {
  type ProjectionQuery,
  type ProjectionResponse,
  projectionRouteSchema,
  type StatsResponse,
  statsRouteSchema,
} from '../schemas/data.js';
import type { DashboardState } from '../state.js';
import { classNamesOf } from './graph.js';

/** Dataset statistics and the 2-D projection, both computed once per served graph. */
export async function dataRoutes(app: FastifyInstance, d: DashboardState): Promise<void> {
  const stats = new WeakMap<GraphData, GraphStats>();
  const projections = new WeakMap<GraphData, Map<string, ProjectionResponse>>();

  app.get<{ Reply: StatsResponse }>('/api/data/stats', { schema: statsRouteSchema }, async () => {
    const { graph, forModel } = await d.sources.graph();
    let s = stats.get(graph);
    if (!s) {
      s = graphStats(graph);
      stats.set(graph, s);
    }
    return { for_model: forModel, stats: s as unknown as Record<string, unknown> };
  });

  app.get<{ Querystring: ProjectionQuery; Reply: ProjectionResponse }>(
    '/api/data/projection',
    { schema: projectionRouteSchema },
    async (req) => {
      const { graph: g } = await d.sources.graph();
      const source = req.query.source ?? 'hidden';
      const maxPoints = req.query.max_points ?? 3000;
      const cache = projections.get(g) ?? new Map<string, ProjectionResponse>();
      projections.set(g, cache);
      const key = `${source}:${maxPoints}:${d.sources.ctx.holder.current?.ref ?? ''}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const predicted = await d.sources.predictAll(g.numNodes);
      let used: 'hidden' | 'output' | 'features' = 'features';
      let x = g.features;
      let cols = g.numFeatures;
      const checkpoint = source === 'hidden' ? await d.sources.checkpointPath() : undefined;
      if (checkpoint) {
        try {
          const h = hiddenEmbedding(checkpoint, g);
          [x, cols, used] = [h.hidden, h.width, 'hidden'];
        } catch {
          // a checkpoint that does not fit this graph: fall back to the outputs
        }
      }
      if (used === 'features' && source !== 'features' && predicted) {
        [x, cols, used] = [predicted.probs, predicted.numClasses, 'output'];
      }
      const p = pca2(x, g.numNodes, cols);
      const stride = Math.max(1, Math.ceil(g.numNodes / maxPoints));
      const points: ProjectionResponse['points'] = [];
      for (let i = 0; i < g.numNodes; i += stride) {
        const pt: ProjectionResponse['points'][number] = {
          id: i,
          x: p.coords[2 * i],
          y: p.coords[2 * i + 1],
          label: g.labels[i],
        };
        if (predicted) pt.predicted = predicted.classes[i];
        points.push(pt);
      }
      const res: ProjectionResponse = {
        source: used,
        dims: cols,
        method: 'pca',
        explained: p.explained,
        total: g.numNodes,
        points,
        class_names: classNamesOf(g),
      };
      cache.set(key, res);
      return res;
    },
  );
}
