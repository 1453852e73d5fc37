import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import type { GraphData } from '../../data/graph.js';
import { databaseTarget } from '../../db/index.js';
import type { PromotionHooks } from '../../registry/index.js';
import { requireKey } from '../auth.js';
import type { ServeContext } from '../context.js';
import type { DriftLoop } from '../drift-loop.js';
import { DriftWorker } from './drift-worker.js';
import { dataRoutes } from './routes/data.js';
import { driftRoutes } from './routes/drift.js';
import { graphRoutes } from './routes/graph.js';
import { overviewRoutes } from './routes/overview.js';
import { registryRoutes } from './routes/registry.js';
import { runsRoutes } from './routes/runs.js';
import { sweepsRoutes } from './routes/sweeps.js';
import { DashboardSources } from './sources.js';
import type { DashboardState } from './state.js';
import { defaultWebRoot, registerWebApp } from './static.js';
import { TrafficSampler } from './traffic.js';

export interface DashboardOptions {
  ctx: ServeContext & { drift?: DriftLoop };
  /** Workspace with gnnops.db (default GNNOPS_HOME). */
  home?: string;
  /** The served graph (default: from the served registry version's config.data). */
  loadGraph?: () => Promise<GraphData>;
  /** Promotion hooks for alias changes made here (default none; e.g. hooksFromConfig(config.registry)). */
  hooks?: PromotionHooks;
  /** The built web app (default web/dist of the repository). */
  webRoot?: string;
  /** Traffic sampling interval for the overview's request rate (default 5 s). */
  trafficIntervalMs?: number;
  /** Where the data comes from (default: built from home, loadGraph and hooks). The plugin closes it. */
  sources?: DashboardSources;
  /** Runs the drift reports off the event loop (default: one on the workspace's store). The plugin closes it. */
  driftWorker?: DriftWorker;
}

/**
 * The dashboard: read APIs under /api (runs, sweeps, registry, dataset, graph neighbourhoods, drift) with one
 * JSON schema per route, promote/rollback behind the admin key, and the web app at `/`. Encapsulated: its
 * hooks (the public API key when serve.require_api_key is on) do not leak into the inference routes. The server's
 * background drift loop, when the caller wired one into `ctx.drift`, shows on the overview; the plugin never
 * creates or starts one.
 */
export async function dashboardPlugin(app: FastifyInstance, opts: DashboardOptions): Promise<void> {
  const { ctx } = opts;
  const sources =
    opts.sources ?? new DashboardSources(ctx, { home: opts.home, loadGraph: opts.loadGraph, hooks: opts.hooks });
  const traffic = new TrafficSampler(ctx.metrics, opts.trafficIntervalMs ?? 5000);
  const driftWorker = opts.driftWorker ?? new DriftWorker(databaseTarget(undefined, opts.home));
  const state: DashboardState = { sources, traffic, drift: driftWorker, driftLoop: ctx.drift };
  traffic.start();
  app.addHook('onClose', async () => {
    await ctx.drift?.close();
    await driftWorker.close();
    traffic.stop();
    await sources.close();
  });

  // Query strings arrive as text: coerce them to the schema's types (the server's own compiler coerces nothing,
  // which is right for prediction bodies and stays so for the bodies here).
  const ajvOpts = { useDefaults: true, verbose: true, allErrors: false, strict: false } as const;
  const coercing = new Ajv({ ...ajvOpts, coerceTypes: true });
  const strict = new Ajv({ ...ajvOpts, coerceTypes: false });
  await app.register(async (api) => {
    api.setValidatorCompiler(({ schema, httpPart }) =>
      httpPart === 'body' ? strict.compile(schema) : coercing.compile(schema),
    );
    if (ctx.config.require_api_key) api.addHook('onRequest', requireKey(ctx.apiKey, 'public'));
    await overviewRoutes(api, state);
    await runsRoutes(api, state);
    await sweepsRoutes(api, state);
    await registryRoutes(api, state, ctx);
    await graphRoutes(api, state);
    await dataRoutes(api, state);
    await driftRoutes(api, state);
  });
  await registerWebApp(app, opts.webRoot ?? defaultWebRoot());
}
