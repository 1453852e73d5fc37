import type { FastifyInstance } from 'fastify';
import { type ServeConfig, serveSection } from '../config/sections/serve.js';
import type { StorageConfig } from '../config/sections/storage.js';
import { databaseTarget } from '../db/index.js';
import type { LogStore } from '../monitor/log-store.js';
import { RequestLogQueue } from '../request-log/queue.js';
import { retentionPolicy } from '../request-log/retention.js';
import { featureSampler } from '../request-log/sampler.js';
import { inlineSink, threadSink } from '../request-log/sink.js';
import { type AppContext, buildHttpApp } from '../serve/app.js';
import { joinCluster, workerIndex } from '../serve/cluster.js';
import { limitsOf } from '../serve/context.js';
import { servedDriftCheck } from '../serve/dashboard/drift-facts.js';
import { DriftWorker } from '../serve/dashboard/drift-worker.js';
import { type DashboardOptions, dashboardPlugin } from '../serve/dashboard/index.js';
import { DashboardSources } from '../serve/dashboard/sources.js';
import { type DriftCheck, DriftLoop } from '../serve/drift-loop.js';
import { followRegistry, loadServedModel, resolveModelRef } from '../serve/loader.js';
import { ServeMetrics } from '../serve/metrics.js';
import type { LoadOptions, ModelLoader, ServedModel } from '../serve/model.js';
import { ModelHolder, type ModelHolderOptions } from '../serve/model-holder.js';
import { replicaId } from '../serve/replica.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';

/** Rows of the current window for the background drift check (Evidently-style: the last N logged rows). */
const DRIFT_WINDOW = 5000;

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
  /**
   * What `source` resolves to now, when the caller resolved it already: the first load takes this ref instead of
   * resolving again (a cluster primary resolves once, so every worker starts on the same version).
   */
  startRef?: string;
  /** ref → model. Default: `loadServedModel` from loader.ts with `config.runtime`. */
  loader?: ModelLoader;
  /** The `storage` section: shared artifact storage a registered version's missing files are fetched from. */
  storage?: StorageConfig;
  /** source → ref to serve now (the registry's alias lookup). Default: `resolveModelRef` from loader.ts. */
  resolve?: (source: string) => Promise<string>;
  /**
   * Pushed notices that the registry changed, so the watcher resolves again at once. Default with the default
   * `resolve`: `followRegistry` from loader.ts (PostgreSQL LISTEN; SQLite has none and the poll alone follows).
   */
  subscribe?: ModelHolderOptions['subscribe'];
  /**
   * The store of the request log and the drift-check history (openLogStore: the workspace's SQLite file, or the
   * PostgreSQL database the replicas share). With it, requests are logged (unless serve.log_requests is false) and
   * the scheduled drift check runs only while this server holds the deployment's drift-check lease, storing each
   * result. None = no request logging, and the drift routes read the workspace's store.
   */
  logStore?: LogStore;
  /**
   * Write the request log on a worker thread with its own connection to `logStore` (startServer). The thread also
   * applies retention (serve.log_retention_rows / _hours); the inline writer (tests) never prunes.
   */
  requestLogThread?: boolean;
  /**
   * Drift computation for the background gauges and GET /v1/drift. Default, with a request log: the last
   * 5000 logged rows against the served version's reference profile (the one the dashboard shows).
   */
  driftCheck?: DriftCheck;
  /** Where the dashboard reads from (workspace, graph, promotion hooks, web build); defaults as in the plugin. */
  dashboard?: Omit<DashboardOptions, 'ctx' | 'sources' | 'driftWorker'>;
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
  ctx: AppContext;
  holder: ModelHolder;
  metrics: ServeMetrics;
  requestLog: RequestLogQueue | undefined;
  drift: DriftLoop | undefined;
}

/**
 * Assemble the inference server: the model holder (loader, registry resolution, hot-reload watcher), the request
 * log, the drift loop, the HTTP app (src/serve/app.ts) and the dashboard plugin, each given its collaborators
 * here. Not listening yet: use `app.inject` in tests or `startServer` for a real socket.
 */
export async function buildServeApp(opts: ServeAppOptions = {}): Promise<ServeApp> {
  const config = serveSection.parse(opts.config ?? {});
  const apiKey = opts.apiKey ?? (process.env.GNNOPS_API_KEY || undefined);
  if (config.require_api_key && apiKey === undefined) {
    throw new GnnopsError(
      ErrorCodes.CONFIG_INVALID,
      'serve.require_api_key is true but GNNOPS_API_KEY is not set: set it or turn the option off',
    );
  }
  const metrics = new ServeMetrics(config.latency_buckets, { defaultMetrics: opts.defaultMetrics });
  const loadOpts: LoadOptions = { runtime: config.runtime, storage: opts.storage };
  const loader = opts.loader ?? loadServedModel;
  const holder = new ModelHolder({
    load: (ref) => loader(ref, loadOpts),
    resolve: opts.resolve ?? resolveModelRef,
    subscribe: opts.subscribe ?? (opts.resolve ? undefined : followRegistry),
    onSwap: (e, prev) => {
      metrics.setModel(e.model);
      if (prev) metrics.reloads.inc({ result: 'swapped' });
    },
    onWatchError: () => metrics.reloads.inc({ result: 'failed' }),
  });
  holder.source = opts.source ?? config.model;
  if (opts.model) holder.set(opts.model, opts.modelRef ?? `${opts.model.name}/${opts.model.version}`);

  const replica = replicaId(config);
  const logStore = opts.logStore;
  const requestLog =
    logStore && config.log_requests
      ? new RequestLogQueue(
          opts.requestLogThread
            ? threadSink(logStore.target, {
                replica,
                retention: { policy: retentionPolicy(config.log_retention_rows, config.log_retention_hours) },
                onPrune: (n) => metrics.logPruned.inc(n),
              })
            : inlineSink(logStore.db, replica),
          {
            capacity: config.log_queue_capacity,
            flushMs: config.log_flush_ms,
            batchSize: config.log_batch_size,
            onDrop: (n) => metrics.logDropped.inc(n),
            onWrite: (n) => metrics.logWritten.inc(n),
          },
        )
      : undefined;
  if (requestLog) metrics.pendingRows = () => requestLog.pending;
  const ctx: AppContext = {
    cluster: opts.clusterWorker ? joinCluster(holder, metrics) : undefined,
    config,
    limits: limitsOf(config),
    holder,
    metrics,
    requestLog,
    apiKey,
    sample: featureSampler(config.log_sample_rate, config.log_max_inputs_per_s),
  };

  // The dashboard and the drift loop read the same sources, so the loop's reference profile is the dashboard's:
  // the served version's registered profile first.
  const dash = opts.dashboard ?? {};
  const sources = new DashboardSources(ctx, { home: dash.home, loadGraph: dash.loadGraph, hooks: dash.hooks });
  const driftWorker = new DriftWorker(logStore?.target ?? databaseTarget(undefined, dash.home));
  const check: DriftCheck | undefined =
    opts.driftCheck ?? (requestLog ? servedDriftCheck(sources, driftWorker, DRIFT_WINDOW) : undefined);
  if (check) {
    // with a store, the scheduled check runs once per deployment: on whichever server holds the drift-check lease
    const coordination = logStore && {
      db: logStore.db,
      replica,
      served: () => {
        const m = holder.current?.model;
        return m && { model: m.name, version: m.version };
      },
    };
    ctx.drift = new DriftLoop(check, metrics, coordination);
  }

  const app = await buildHttpApp(ctx);
  // dashboard API under /api and the web app at /; it closes the sources and the drift worker with the app
  await app.register(dashboardPlugin, { ...dash, ctx, sources, driftWorker });

  app.addHook('onClose', async () => {
    holder.unwatch();
    await ctx.drift?.close();
    await requestLog?.close();
    await holder.close();
  });

  if (!opts.model && holder.source !== undefined && opts.loadInBackground !== false) {
    // Kubernetes-style: answer health at once, become ready when the model is in.
    holder.reload({ ref: opts.startRef }).catch((e: unknown) => {
      metrics.reloads.inc({ result: 'failed' });
      app.log.error(e);
    });
  }
  if (holder.source !== undefined && (holder.source.includes('@') || opts.resolve)) {
    holder.watch(config.reload_poll_s * 1000);
  }
  // in a cluster only worker 0 competes for the drift-check lease (every worker answers GET /v1/drift); across
  // servers the lease picks one
  if (!opts.clusterWorker || workerIndex() === 0) ctx.drift?.start(config.drift_interval_s * 1000);
  return { app, ctx, holder, metrics, requestLog, drift: ctx.drift };
}
