import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import type { ModelEntry } from '../model-holder.js';
import { type ReloadBody, type ReloadResponse, reloadRouteSchema } from '../schemas/admin.js';

function refOf(e: ModelEntry): { name: string; version: string; ref: string } {
  return { name: e.model.name, version: e.model.version, ref: e.ref };
}

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
      try {
        const r = await ctx.holder.reload({ source: body.model, force: body.force ?? false });
        // swaps are counted by the holder's onSwap hook (shared with the watcher)
        if (!r.changed) ctx.metrics.reloads.inc({ result: 'unchanged' });
        const res: ReloadResponse = { changed: r.changed, current: refOf(r.current) };
        if (r.previous) res.previous = refOf(r.previous);
        return res;
      } catch (e) {
        ctx.metrics.reloads.inc({ result: 'failed' });
        throw e;
      }
    },
  );
}
