import type { FastifyInstance } from 'fastify';
import { auditEntity, modelEntity, versionEntity } from '../../../registry/entities.js';
import type { AliasChange, AuditEntry, ModelVersion, RegisteredModel } from '../../../registry/types.js';
import { requireKey } from '../../auth.js';
import type { ServeContext } from '../../context.js';
import {
  type AliasChangeResponse,
  type AuditEntryJson,
  type ModelDetailResponse,
  type ModelsListResponse,
  type ModelVersionJson,
  modelDetailRouteSchema,
  modelsListRouteSchema,
  type PromoteBody,
  promoteRouteSchema,
  type RegisteredModelJson,
  type RollbackBody,
  rollbackRouteSchema,
} from '../schemas/registry.js';
import type { DashboardState } from '../state.js';

export function auditJson(e: AuditEntry): AuditEntryJson {
  return auditEntity.toJson(e);
}

function modelJson(m: RegisteredModel): RegisteredModelJson {
  return { ...modelEntity.toJson(m), latest_version: m.latestVersion, aliases: m.aliases };
}

function versionJson(v: ModelVersion): ModelVersionJson {
  const modelCfg = (v.config as { model?: unknown } | null)?.model;
  const out: ModelVersionJson = { ...versionEntity.toJson(v), aliases: v.aliases };
  if (modelCfg && typeof modelCfg === 'object') out.model_config = modelCfg as Record<string, unknown>;
  return out;
}

/** Latest alias changes over every model, newest first. */
export async function recentAudit(
  models: RegisteredModel[],
  all: (m: string) => Promise<AuditEntry[]>,
  limit: number,
): Promise<AuditEntryJson[]> {
  return (await Promise.all(models.map((m) => all(m.name))))
    .flat()
    .sort((a, b) => b.at - a.at || b.id - a.id)
    .slice(0, limit)
    .map(auditJson);
}

/**
 * Registry reads, and promote/rollback behind the admin key (the server's own hook). When the server follows
 * the alias that moved (`NAME@ALIAS`), it reloads at once instead of waiting for the watcher's next poll.
 */
export async function registryRoutes(app: FastifyInstance, d: DashboardState, ctx: ServeContext): Promise<void> {
  app.get<{ Reply: ModelsListResponse }>('/api/registry/models', { schema: modelsListRouteSchema }, async () => {
    const reg = await d.sources.registry();
    const models = await reg.listModels();
    return { models: models.map(modelJson), recent: await recentAudit(models, (m) => reg.auditLog(m), 20) };
  });

  app.get<{ Params: { name: string }; Reply: ModelDetailResponse }>(
    '/api/registry/models/:name',
    { schema: modelDetailRouteSchema },
    async (req) => {
      const reg = await d.sources.registry();
      const m = await reg.getModel(req.params.name);
      return {
        model: modelJson(m),
        versions: (await reg.listVersions(m.name)).sort((a, b) => b.version - a.version).map(versionJson),
        audit: (await reg.auditLog(m.name)).map(auditJson),
      };
    },
  );

  const admin = requireKey(ctx.apiKey, 'admin');
  const who = (req: { ip: string }) => `dashboard@${req.ip}`;

  const afterChange = async (c: AliasChange): Promise<AliasChangeResponse> => {
    const res: AliasChangeResponse = {
      changed: c.changed,
      model: c.model,
      alias: c.alias,
      from_version: c.fromVersion,
      to_version: c.toVersion,
      audit: c.audit ? auditJson(c.audit) : null,
    };
    const source = ctx.holder.source;
    if (c.changed && source === `${c.model}@${c.alias}`) {
      try {
        const r = await ctx.holder.reload();
        res.served = { name: r.current.model.name, version: r.current.model.version };
      } catch (e) {
        const cur = ctx.holder.current?.model;
        res.served = { name: cur?.name ?? '', version: cur?.version ?? '', reload_error: (e as Error).message };
      }
    }
    return res;
  };

  app.post<{ Params: { name: string }; Body: PromoteBody; Reply: AliasChangeResponse }>(
    '/api/registry/models/:name/promote',
    { schema: promoteRouteSchema, onRequest: admin },
    async (req) => {
      const b = req.body;
      const c = await (await d.sources.registry()).promote(req.params.name, b.version, b.alias, {
        reason: b.reason || 'promoted from the dashboard',
        by: who(req),
      });
      return afterChange(c);
    },
  );

  app.post<{ Params: { name: string }; Body: RollbackBody; Reply: AliasChangeResponse }>(
    '/api/registry/models/:name/rollback',
    { schema: rollbackRouteSchema, onRequest: admin },
    async (req) => {
      const c = await (await d.sources.registry()).rollback(req.params.name, req.body.alias, {
        reason: req.body.reason || 'rolled back from the dashboard',
        by: who(req),
      });
      return afterChange(c);
    },
  );
}
