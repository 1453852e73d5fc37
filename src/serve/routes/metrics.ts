import type { FastifyInstance } from 'fastify';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import type { ServeContext } from '../context.js';
import type { DriftLoop } from '../drift-loop.js';
import { errorSchema } from '../schemas/common.js';

/** GET /metrics (Prometheus text format) and, when a drift check is wired, GET /v1/drift. */
export async function metricsRoutes(app: FastifyInstance, ctx: ServeContext & { drift?: DriftLoop }): Promise<void> {
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['monitoring'] } }, async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.cluster ? ctx.cluster.metrics() : ctx.metrics.registry.metrics();
  });
  app.get(
    '/v1/drift',
    {
      schema: {
        summary: 'Drift of the current request-log window (runs the check now)',
        tags: ['monitoring'],
        response: { 200: { type: 'object', additionalProperties: true }, 503: errorSchema },
      },
    },
    async () => {
      if (!ctx.drift) {
        throw new GnnopsError(ErrorCodes.NOT_AVAILABLE, 'drift monitoring is not configured on this server');
      }
      const snap = await ctx.drift.runOnce();
      if (!snap) throw new GnnopsError(ErrorCodes.NOT_AVAILABLE, 'the drift check failed; see the server log');
      return { ...snap, checked_at: (ctx.drift.lastAt ?? new Date()).toISOString() };
    },
  );
}
