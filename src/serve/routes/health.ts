import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import { liveRouteSchema, readyRouteSchema, serverMetadataRouteSchema } from '../schemas/v2.js';

export const SERVER_VERSION = '0.1.0';

/** Liveness, readiness (503 until a model is loaded) and V2 server metadata. Never behind the API key. */
export async function healthRoutes(app: FastifyInstance, ctx: ServeContext): Promise<void> {
  app.get('/v2/health/live', { schema: liveRouteSchema }, async () => ({ live: true }));
  app.get('/v2/health/ready', { schema: readyRouteSchema }, async (_req, reply) => {
    if (ctx.holder.ready) return { ready: true };
    reply.code(503);
    return { ready: false, error: ctx.holder.draining ? 'shutting down' : 'no model loaded yet' };
  });
  app.get('/v2', { schema: serverMetadataRouteSchema }, async () => ({
    name: 'gnnops',
    version: SERVER_VERSION,
    extensions: ['binary_tensor_data'],
  }));
}
