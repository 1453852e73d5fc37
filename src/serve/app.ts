import { randomBytes } from 'node:crypto';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { type ServeConfig, serveSection } from '../config/sections/serve.js';
import { RequestLogQueue } from '../request-log/queue.js';
import { retentionPolicy } from '../request-log/retention.js';
import { featureSampler } from '../request-log/sampler.js';
import { inlineSink, threadSink } from '../request-log/sink.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { requireKey } from './auth.js';
import { joinCluster, workerIndex } from './cluster.js';
import { connectionOptions, readRestBeforeError } from './connection.js';
import { limitsOf, type ServeContext } from './context.js';
import { dashboardPlugin } from './dashboard/index.js';
import { type DriftCheck, DriftLoop } from './drift-loop.js';
import { makeErrorHandler, notFoundHandler } from './errors.js';
import { registerJsonParser } from './json-parser.js';
import { loadServedModel, resolveModelRef } from './loader.js';
import { ServeMetrics } from './metrics.js';
import type { LoadOptions, ModelLoader, ServedModel } from './model.js';
import { ModelHolder } from './model-holder.js';
import { adminRoutes } from './routes/admin.js';
import { healthRoutes, SERVER_VERSION } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelsRoutes } from './routes/models.js';
import { nodesRoutes } from './routes/nodes.js';
import { predictRoutes } from './routes/predict.js';
import { v2Routes } from './routes/v2.js';
import { securitySchemes } from './schemas/common.js';
import { INFERENCE_HEADER } from './v2-binary.js';

export interface ServeAppOptions {
  /** The `serve` config section; defaults for anything missing. */
  config?: Partial<ServeConfig>;
  /** A model to serve from the start (already loaded), with the ref it was loaded from. */
  model?: ServedModel;
  modelRef?: string;
  /**
   * What to follow: NAME@ALIAS (the watcher and /v1/admin/reload resolve it again and swap when it moves) or a
   * fixed ref. Default: `config.model`. When no `model` is given it is loaded in the background at startup
   * (readiness is 503 until then); `startServer` instead loads it before listening.
   */
  source?: string;
  /** ref → model. Default: `loadServedModel` from loader.ts with `config.runtime`. */
  loader?: ModelLoader;
  /** source → ref to serve now (the registry's alias lookup). Default: `resolveModelRef` from loader.ts. */
  resolve?: (source: string) => Promise<string>;
  /** Where request-log rows go (a store opened with requestLogMigrations); none = no request logging. */
  requestLogDb?: Database.Database;
  /**
   * Write the request log on a worker thread with its own connection to `requestLogDb`'s file (startServer). The
   * thread also applies retention (serve.log_retention_rows / _hours); the inline writer (tests) never prunes.
   */
  requestLogThread?: boolean;
  /** Drift computation for the background gauges and GET /v1/drift (src/monitor provides it). */
  driftCheck?: DriftCheck;
  /** API key for admin (and, with require_api_key, public) routes. Default: env GNNOPS_API_KEY. */
  apiKey?: string;
  /** Collect default process metrics (default true). */
  defaultMetrics?: boolean;
  /** Load `source` in the background when no `model` is given (default true; startServer loads it first). */
  loadInBackground?: boolean;
  /** Run as one worker of a cluster (startServer sets it in cluster workers). */
  clusterWorker?: boolean;
}

export interface ServeApp {
  app: FastifyInstance;
  ctx: ServeContext & { drift?: DriftLoop };
  holder: ModelHolder;
  metrics: ServeMetrics;
  requestLog: RequestLogQueue | undefined;
  drift: DriftLoop | undefined;
}

/**
 * Build the inference server: one encapsulated plugin per concern (health, metrics, predictions, V2, admin), a
 * JSON-only body parser, one error handler, Prometheus metrics hooks, OpenAPI at /docs. Not listening yet:
 * use `app.inject` in tests or `startServer` for a real socket.
 */
export async function buildServeApp(opts: ServeAppOptions = {}): Promise<ServeApp> {
  const config = serveSection.parse(opts.config ?? {});
  const limits = limitsOf(config);
  const apiKey = opts.apiKey ?? (process.env.GNNOPS_API_KEY || undefined);
  if (config.require_api_key && apiKey === undefined) {
    throw new GnnopsError(
      ErrorCodes.CONFIG_INVALID,
      'serve.require_api_key is true but GNNOPS_API_KEY is not set: set it or turn the option off',
    );
  }
  const metrics = new ServeMetrics(config.latency_buckets, { defaultMetrics: opts.defaultMetrics });
  const loadOpts: LoadOptions = { runtime: config.runtime };
  const loader = opts.loader ?? loadServedModel;
  const holder = new ModelHolder({
    load: (ref) => loader(ref, loadOpts),
    resolve: opts.resolve ?? resolveModelRef,
    onSwap: (e, prev) => {
      metrics.setModel(e.model);
      if (prev) metrics.reloads.inc({ result: 'swapped' });
    },
    onWatchError: () => metrics.reloads.inc({ result: 'failed' }),
  });
  holder.source = opts.source ?? config.model;
  if (opts.model) holder.set(opts.model, opts.modelRef ?? `${opts.model.name}/${opts.model.version}`);

  const requestLog =
    opts.requestLogDb && config.log_requests
      ? new RequestLogQueue(
          opts.requestLogThread
            ? threadSink(opts.requestLogDb.name, {
                retention: { policy: retentionPolicy(config.log_retention_rows, config.log_retention_hours) },
                onPrune: (n) => metrics.logPruned.inc(n),
              })
            : inlineSink(opts.requestLogDb),
          {
            capacity: config.log_queue_capacity,
            flushMs: config.log_flush_ms,
            batchSize: config.log_batch_size,
            onDrop: (n) => metrics.logDropped.inc(n),
            onWrite: (n) => metrics.logWritten.inc(n),
          },
        )
      : undefined;
  const drift = opts.driftCheck ? new DriftLoop(opts.driftCheck, metrics) : undefined;
  const ctx: ServeContext & { drift?: DriftLoop } = {
    cluster: opts.clusterWorker ? joinCluster(holder, metrics) : undefined,
    config,
    limits,
    holder,
    metrics,
    requestLog,
    apiKey,
    drift,
    sample: featureSampler(config.log_sample_rate, config.log_max_inputs_per_s),
  };

  const boot = randomBytes(4).toString('hex');
  let seq = 0;
  const app = Fastify({
    logger: false,
    bodyLimit: config.body_limit,
    genReqId: () => `${boot}-${(++seq).toString(36)}`,
    ajv: { customOptions: { coerceTypes: false, verbose: true, allErrors: false } },
    ...connectionOptions(config), // request timeout and JSON answers to what the HTTP parser rejects
  });
  registerJsonParser(app, config.body_limit);
  app.setErrorHandler(makeErrorHandler(config.body_limit));
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onSend', readRestBeforeError(config.body_limit));

  app.addHook('onRequest', async (req, reply) => {
    metrics.inFlight.inc();
    reply.raw.once('close', () => metrics.inFlight.dec());
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    metrics.duration.observe({ route }, reply.elapsedTime / 1000);
  });

  if (config.cors_origins.length > 0) {
    await app.register(cors, {
      origin: config.cors_origins.includes('*') ? true : config.cors_origins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key', INFERENCE_HEADER],
      exposedHeaders: [INFERENCE_HEADER],
    });
  }
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'gnnops inference API',
        version: SERVER_VERSION,
        description:
          'GNN node classification: POST /predict (compatible with the common `{x, edge_index}` client), by-node queries, and the Open Inference ' +
          'Protocol (KServe V2). Errors are `{error, code}` with the field and the limit at fault.',
      },
      components: { securitySchemes },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } });

  await app.register(async (scope) => {
    await healthRoutes(scope, ctx);
    await metricsRoutes(scope, ctx);
  });
  await app.register(async (scope) => {
    if (config.require_api_key) scope.addHook('onRequest', requireKey(apiKey, 'public'));
    await predictRoutes(scope, ctx);
    await nodesRoutes(scope, ctx);
    await v2Routes(scope, ctx);
    await modelsRoutes(scope, ctx);
  });
  await app.register(async (scope) => {
    scope.addHook('onRequest', requireKey(apiKey, 'admin'));
    await adminRoutes(scope, ctx);
  });
  await app.register(dashboardPlugin, { ctx }); // dashboard API under /api and the web app at / (src/serve/dashboard)

  app.addHook('onClose', async () => {
    holder.unwatch();
    ctx.drift?.stop();
    await ctx.drift?.idle();
    await requestLog?.close();
    await holder.close();
  });

  if (!opts.model && holder.source !== undefined && opts.loadInBackground !== false) {
    // Kubernetes-style: answer health at once, become ready when the model is in.
    holder.reload().catch((e: unknown) => {
      metrics.reloads.inc({ result: 'failed' });
      app.log.error(e);
    });
  }
  if (holder.source !== undefined && (holder.source.includes('@') || opts.resolve)) {
    holder.watch(config.reload_poll_s * 1000);
  }
  // in a cluster only worker 0 runs the background check (every worker answers GET /v1/drift)
  if (!opts.clusterWorker || workerIndex() === 0) ctx.drift?.start(config.drift_interval_s * 1000);
  return { app, ctx, holder, metrics, requestLog, drift: ctx.drift };
}
