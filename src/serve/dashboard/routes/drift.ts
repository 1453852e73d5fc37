import type { FastifyInstance } from 'fastify';
import { driftCheckJson } from '../../../monitor/drift-history.js';
import { withFacts } from '../../../monitor/estimate.js';
import { servedVersionFacts } from '../drift-facts.js';
import {
  type DriftAccuracyResponse,
  type DriftChecksQuery,
  type DriftChecksResponse,
  type DriftHistoryResponse,
  type DriftLatestResponse,
  type DriftReplicasResponse,
  type DriftWindowQuery,
  driftAccuracyRouteSchema,
  driftChecksRouteSchema,
  driftHistoryRouteSchema,
  driftLatestRouteSchema,
  driftReplicasRouteSchema,
} from '../schemas/drift.js';
import type { DashboardState } from '../state.js';
import { classNamesOf } from './graph.js';

/** The window a drift route reads: the last `window` requests, of one replica or of every one. */
const logWindow = (q: DriftWindowQuery) => ({ window: q.window ?? 5000, replica: q.replica });

/**
 * The latest drift report of the request log, drift share over consecutive windows, the served version's
 * label-free accuracy estimate (each over every replica's requests or one replica's), the stored history of the
 * scheduled checks, and the replicas in the log.
 */
export async function driftRoutes(app: FastifyInstance, d: DashboardState): Promise<void> {
  app.get<{ Querystring: DriftWindowQuery; Reply: DriftLatestResponse }>(
    '/api/drift/latest',
    { schema: driftLatestRouteSchema },
    async (req) => {
      const { profile, source } = await d.sources.profile();
      const res = await d.drift.latest(profile, source, logWindow(req.query));
      if (res.predictions) {
        const names = await d.sources.graph().then(
          (g) => classNamesOf(g.graph),
          () => undefined,
        );
        if (names) res.predictions.class_names = names;
      }
      if (res.dataset && res.generated_at && req.query.replica === undefined) {
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
      return d.drift.history(profile, req.query.windows ?? 12, logWindow(req.query));
    },
  );

  app.get<{ Querystring: DriftWindowQuery; Reply: DriftAccuracyResponse }>(
    '/api/drift/accuracy',
    { schema: driftAccuracyRouteSchema },
    async (req) => {
      const m = d.sources.ctx.holder.current?.model;
      if (!m) return { available: false, reason: 'no model is loaded yet', points: [] };
      const served = { model: m.name, version: m.version };
      const w = await d.drift.accuracy(served, req.query.windows ?? 12, logWindow(req.query));
      if (!w.estimate)
        return {
          available: false,
          reason: `no logged prediction of ${m.name}/${m.version} in the last ${req.query.window ?? 5000} requests${
            req.query.replica === undefined ? '' : ` of replica ${req.query.replica}`
          }`,
          ...served,
          points: [],
        };
      const e = withFacts(w.estimate, await servedVersionFacts(d.sources)(m.name, m.version));
      const names = await d.sources.graph().then(
        (g) => classNamesOf(g.graph),
        () => undefined,
      );
      return {
        available: true,
        ...served,
        latest: {
          n: e.n,
          requests: e.requests,
          estimated: e.estimated,
          low: e.low,
          high: e.high,
          level: e.level,
          interval: e.interval,
          calibration: e.calibration,
          ...(e.warning ? { warning: e.warning } : {}),
          test_accuracy: e.testAccuracy,
          registered_temperature: e.registeredTemperature,
          per_class: e.perClass.map((c) => ({ ...c, ...(names?.[c.class] ? { name: names[c.class] } : {}) })),
        },
        points: w.points,
      };
    },
  );

  app.get<{ Querystring: DriftChecksQuery; Reply: DriftChecksResponse }>(
    '/api/drift/checks',
    { schema: driftChecksRouteSchema },
    async (req) => {
      const q = req.query;
      const checks = await d.drift.checks({ since: q.since, model: q.model, leader: q.leader, limit: q.limit ?? 500 });
      return {
        checks: checks.map(driftCheckJson),
      };
    },
  );

  app.get<{ Reply: DriftReplicasResponse }>('/api/drift/replicas', { schema: driftReplicasRouteSchema }, async () => ({
    replicas: (await d.drift.replicas()).map((r) => ({ replica: r.replica, rows: r.rows, last_ts: r.lastTs })),
  }));
}
