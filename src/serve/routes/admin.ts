import type { FastifyInstance } from 'fastify';
import { toWireSwap } from '../cluster.js';
import type { ServeContext } from '../context.js';
import { type ReloadBody, type ReloadResponse, reloadRouteSchema } from '../schemas/admin.js';

/**
 * POST /v1/admin/reload: resolve the followed ref again (or switch to `model`), load in the background and swap
 * if it changed, the same path as the registry watcher. The old model keeps serving until the swap; a failed
 * load leaves it in place. Registered inside the API-key scope by app.ts.
 */
export async function adminRoutes(app: FastifyInstance, ctx: ServeContext): Promise<void> {
  app.post<{ Body: ReloadBody; Reply: ReloadResponse }>(
    '/v1/admin/reload',
    { schema: reloadRouteSchema },
    async (req) => {
      const body = req.body ?? {};
      const args = { source: body.model, force: body.force ?? false };
      try {
        // in a cluster every worker reloads (through the primary); this one answers with the result
        const r: ReloadResponse = ctx.cluster
          ? await ctx.cluster.reload(args)
          : toWireSwap(await ctx.holder.reload(args));
        // swaps are counted by the holder's onSwap hook (shared with the watcher)
        if (!r.changed) ctx.metrics.reloads.inc({ result: 'unchanged' });
        return r;
      } catch (e) {
        ctx.metrics.reloads.inc({ result: 'failed' });
        throw e;
      }
    },
  );
}
