import type { FastifyInstance } from 'fastify';
import { type OverviewResponse, overviewRouteSchema } from '../schemas/overview.js';
import type { DashboardState } from '../state.js';
import { recentAudit } from './registry.js';

/** Served model, prediction traffic, drift status and the last promotions in one call. */
export async function overviewRoutes(app: FastifyInstance, d: DashboardState): Promise<void> {
  app.get<{ Reply: OverviewResponse }>('/api/overview', { schema: overviewRouteSchema }, async () => {
    const { holder } = d.sources.ctx;
    const e = holder.current;
    const reg = d.sources.registry;
    const res: OverviewResponse = {
      ready: holder.ready,
      traffic: await d.traffic.view(),
      promotions: recentAudit(reg.listModels(), (m) => reg.auditLog(m), 8),
    };
    if (e) {
      const m = e.model;
      const v = d.sources.servedVersion();
      res.model = {
        name: m.name,
        version: m.version,
        ref: e.ref,
        loaded_at: e.loadedAt.toISOString(),
        num_classes: m.numClasses,
        metrics: v?.metrics ?? m.info.metrics ?? {},
        aliases: v?.aliases ?? [],
        dataset: v?.datasetName ?? null,
        run_id: v?.runId ?? null,
      };
      if (holder.source !== undefined) res.model.source = holder.source;
      if (m.graph) res.model.graph_nodes = m.graph.numNodes;
    }
    const loop = d.driftLoop;
    if (loop?.last && loop.lastAt) {
      res.drift = {
        share: loop.last.driftShare,
        drifted: (loop.last as Record<string, unknown>).drifted === true,
        drifted_features: loop.last.driftedFeatures,
        checked_at: loop.lastAt.toISOString(),
      };
    } else if (d.lastDrift) res.drift = d.lastDrift;
    return res;
  });
}
