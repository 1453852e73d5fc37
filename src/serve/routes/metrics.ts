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
  app.get<{ Querystring: { replica?: string } }>(
    '/v1/drift',
    {
      schema: {
        summary:
          'Drift of the current request-log window (runs the check now), over the rows of every replica or of one',
        tags: ['monitoring'],
        querystring: {
          type: 'object',
          properties: {
            replica: {
              type: 'string',
              minLength: 1,
              maxLength: 200,
              description: 'Only the rows this server logged (serve.replica); default the union of every replica.',
            },
          },
        },
        response: { 200: { type: 'object', additionalProperties: true }, 400: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      if (!ctx.drift) {
        throw new GnnopsError(ErrorCodes.NOT_AVAILABLE, 'drift monitoring is not configured on this server');
      }
      const replica = req.query.replica;
      const snap = await ctx.drift.runOnce({ replica });
      if (!snap) throw new GnnopsError(ErrorCodes.NOT_AVAILABLE, 'the drift check failed; see the server log');
      const checkedAt = replica === undefined ? (ctx.drift.lastAt ?? new Date()) : new Date();
      return { ...snap, ...(replica === undefined ? {} : { replica }), checked_at: checkedAt.toISOString() };
    },
  );
}
