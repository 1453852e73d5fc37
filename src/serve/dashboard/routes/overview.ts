import type { FastifyInstance } from 'fastify';
import { type OverviewResponse, overviewRouteSchema } from '../schemas/overview.js';
import type { DashboardState } from '../state.js';
import { recentAudit } from './registry.js';

/** How old the dashboard's own drift summary may get before the overview recomputes it. */
const DRIFT_MAX_AGE_MS = 60_000;

/**
 * Without the server's drift loop, the overview's drift status comes from the dashboard's own check of the last
 * 5,000 logged requests, run at most once a minute (a report takes ~0.2 s at 300 features × 5,000 rows).
 */
async function refreshDrift(d: DashboardState): Promise<void> {
  const now = Date.now();
  if (d.lastDriftTry !== undefined && now - d.lastDriftTry < DRIFT_MAX_AGE_MS) return;
  d.lastDriftTry = now;
  try {
    const { profile, source } = await d.sources.profile();
    const r = await d.drift.latest(profile, source, { window: 5000 });
    if (r.dataset && r.generated_at) {
      d.lastDrift = {
        share: r.dataset.share,
        drifted: r.dataset.drifted,
        drifted_features: r.dataset.drifted_features,
        checked_at: r.generated_at,
      };
    }
  } catch {
    // no profile or no dataset: the overview shows no drift status, the Drift page says why
  }
}

/** Served model, prediction traffic, drift status and the last promotions in one call. */
export async function overviewRoutes(app: FastifyInstance, d: DashboardState): Promise<void> {
  app.get<{ Reply: OverviewResponse }>('/api/overview', { schema: overviewRouteSchema }, async () => {
    const { holder } = d.sources.ctx;
    const e = holder.current;
    const reg = await d.sources.registry();
    const res: OverviewResponse = {
      ready: holder.ready,
      traffic: await d.traffic.view(),
      promotions: await recentAudit(await reg.listModels(), (m) => reg.auditLog(m), 8),
    };
    if (e) {
      const m = e.model;
      const v = await d.sources.servedVersion();
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
    } else {
      await refreshDrift(d);
      if (d.lastDrift) res.drift = d.lastDrift;
    }
    return res;
  });
}
