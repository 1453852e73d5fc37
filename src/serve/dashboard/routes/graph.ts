import type { FastifyInstance } from 'fastify';
import { originalNodeId, resolveNodeRef } from '../../../data/node-ids.js';
import { ErrorCodes, isGnnopsError } from '../../../util/errors.js';
import { requestError } from '../../errors.js';
import { neighbourhood, searchTitles } from '../neighbourhood.js';
import {
  type NeighbourhoodQuery,
  type NeighbourhoodResponse,
  neighbourhoodRouteSchema,
  type SearchQuery,
  type SearchResponse,
  searchRouteSchema,
} from '../schemas/graph.js';
import type { DashboardState } from '../state.js';

/** Class names of a graph (or the class ids as text). */
export function classNamesOf(g: { numClasses: number; classNames?: string[] }): string[] {
  return Array.from({ length: g.numClasses }, (_, c) => g.classNames?.[c] ?? String(c));
}

/** A node's capped 1–2 hop neighbourhood with true and predicted classes; title search. */
export async function graphRoutes(app: FastifyInstance, d: DashboardState): Promise<void> {
  app.get<{ Querystring: NeighbourhoodQuery; Reply: NeighbourhoodResponse }>(
    '/api/graph/neighbourhood',
    { schema: neighbourhoodRouteSchema },
    async (req) => {
      const { graph: g } = await d.sources.graph();
      const q = req.query;
      let center: number;
      try {
        center = resolveNodeRef(q.node, g, 'node');
      } catch (e) {
        // A node that does not exist is a resource that is not there: 404, with the id named.
        if (!isGnnopsError(e)) throw e;
        throw requestError(ErrorCodes.NOT_FOUND, 'node', e.message.replace(/^node: /, ''), { value: q.node });
      }
      const hops = q.hops ?? 2;
      const nb = neighbourhood(g, center, hops, q.max_nodes ?? 150);
      const entry = d.sources.ctx.holder.current;
      const model = entry?.model;
      let probs: Float32Array | undefined;
      if (model?.graph && model.graph.numNodes === g.numNodes)
        probs = await model.predictNodes(Int32Array.from(nb.nodes));
      const C = model?.numClasses ?? 0;
      const nodes: NeighbourhoodResponse['nodes'] = nb.nodes.map((id, k) => {
        const n: NeighbourhoodResponse['nodes'][number] = {
          id,
          node_id: originalNodeId(g, id),
          hop: nb.hop[k],
          degree: g.indptr[id + 1] - g.indptr[id],
          label: g.labels[id],
        };
        if (probs) {
          let best = 0;
          for (let c = 1; c < C; c++) if (probs[k * C + c] > probs[k * C + best]) best = c;
          n.predicted = best;
          n.confidence = probs[k * C + best];
        }
        const title = g.titles?.[id];
        if (title) n.title = title;
        return n;
      });
      const res: NeighbourhoodResponse = {
        center,
        hops,
        nodes,
        edges: nb.edges,
        truncated: nb.truncated,
        ball_size: nb.ballSize,
        class_names: classNamesOf(g),
        dataset: g.name,
      };
      if (probs && model) res.model = `${model.name}/${model.version}`;
      return res;
    },
  );

  app.get<{ Querystring: SearchQuery; Reply: SearchResponse }>(
    '/api/graph/search',
    { schema: searchRouteSchema },
    async (req) => {
      const { graph: g } = await d.sources.graph();
      if (!g.titles) return { titles: false, hits: [] };
      const titles = g.titles;
      const ids = searchTitles(titles, req.query.q, req.query.limit ?? 20);
      return {
        titles: true,
        hits: ids.map((id) => ({ id, node_id: originalNodeId(g, id), title: titles[id], label: g.labels[id] })),
      };
    },
  );
}
