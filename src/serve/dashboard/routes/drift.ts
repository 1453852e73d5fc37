import type { FastifyInstance } from 'fastify';
import {
  type DriftHistoryResponse,
  type DriftLatestResponse,
  type DriftWindowQuery,
  driftHistoryRouteSchema,
  driftLatestRouteSchema,
} from '../schemas/drift.js';
import type { DashboardState } from '../state.js';
import { classNamesOf } from './graph.js';

/** The latest drift report of the request log and drift share over consecutive windows. */
export async function driftRoutes(app: FastifyInstance, d: DashboardState): Promise<void> {
  app.get<{ Querystring: DriftWindowQuery; Reply: DriftLatestResponse }>(
    '/api/drift/latest',
    { schema: driftLatestRouteSchema },
    async (req) => {
      const { profile, source } = await d.sources.profile();
      const res = await d.drift.latest(profile, source, req.query.window ?? 5000);
      if (res.predictions) {
        const names = await d.sources.graph().then(
          (g) => classNamesOf(g.graph),
          () => undefined,
        );
        if (names) res.predictions.class_names = names;
      }
      if (res.dataset && res.generated_at) {
        d.lastDriftTry = Date.now();
        d.lastDrift = {
          share: res.dataset.share,
          drifted: res.dataset.drifted,
          drifted_features: res.dataset.drifted_features,
          checked_at: res.generated_at,
        };
      }
      return res;
    },
  );

  app.get<{ Querystring: DriftWindowQuery; Reply: DriftHistoryResponse }>(
    '/api/drift/history',
    { schema: driftHistoryRouteSchema },
    async (req) => {
      const { profile } = await d.sources.profile();
      return d.drift.history(profile, req.query.window ?? 5000, req.query.windows ?? 12);
    },
  );
}
