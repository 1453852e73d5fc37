import cluster from 'node:cluster';
import { type ServeConfig, serveSection } from '../config/sections/serve.js';
import { databaseTarget } from '../db/index.js';
import { type LogStore, openLogStore } from '../monitor/log-store.js';
import { runPrimary } from '../serve/cluster.js';
import { answerUnknownExpectations } from '../serve/connection.js';
import { resolveModelRef } from '../serve/loader.js';
import { log } from '../util/logger.js';
import { buildServeApp, type ServeApp, type ServeAppOptions } from './serve-app.js';

export interface StartOptions extends Omit<ServeAppOptions, 'config' | 'loadInBackground' | 'clusterWorker'> {
  config?: Partial<ServeConfig>;
  /** Workspace holding the store for the request log (default GNNOPS_HOME). */
  home?: string;
  /**
   * The store URL (config store.url): `sqlite:PATH` or `postgres://…`; GNNOPS_DATABASE_URL wins when set; else the
   * workspace's SQLite file. The request log and the drift-check history go there.
   */
  storeUrl?: string;
  /** Install SIGTERM/SIGINT handlers that shut down gracefully (default true). */
  handleSignals?: boolean;
  /** Force-close connections still open this long after shutdown began (default 30 s). */
  shutdownTimeoutMs?: number;
}

export interface RunningServer extends ServeApp {
  url: string;
  port: number;
  /** The request log's store, when this server opened it. */
  store: LogStore | undefined;
  /** Graceful shutdown: stop accepting, finish in-flight requests, drain the request log, close the store. */
  close(): Promise<void>;
}

/**
 * Start the inference server on a real socket (in a cluster worker: one of `serve.workers` sharing the port; the
 * primary runs `runPrimary` instead, see `serve()`). The model (`source` or `config.model`) is loaded before listening
 * so that a bad ref fails fast. Requests are logged to the workspace store (`storeUrl`: the SQLite file `gnnops.db`
 * or a shared PostgreSQL database; table request_log) unless `config.log_requests` is false or a store is given.
 */
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const config = serveSection.parse(opts.config ?? {});
  let store: LogStore | undefined;
  if (config.log_requests && !opts.logStore) {
    // The writer thread has its own connection; this one migrates and serves the drift-check lease and history.
    store = await openLogStore(databaseTarget(opts.storeUrl, opts.home));
  }
  const served = await buildServeApp({
    ...opts,
    config,
    logStore: opts.logStore ?? store,
    requestLogThread: opts.logStore === undefined,
    loadInBackground: false,
    clusterWorker: cluster.isWorker,
  });
  try {
    if (!opts.model && served.holder.source !== undefined) await served.holder.reload({ ref: opts.startRef });
    answerUnknownExpectations(served.app.server);
    await served.app.listen({ port: config.port, host: config.host });
  } catch (e) {
    await served.app.close();
    await store?.db.close();
    throw e;
  }
  const addr = served.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (config.shutdown_grace_s > 0) {
        served.holder.draining = true;
        served.metrics.modelReady.set(0);
        await new Promise((r) => setTimeout(r, config.shutdown_grace_s * 1000));
      }
      const timer = setTimeout(() => {
        log.warn('shutdown: closing connections still open after the timeout');
        served.app.server.closeAllConnections();
      }, opts.shutdownTimeoutMs ?? 30_000);
      timer.unref();
      try {
        await served.app.close(); // stops accepting, waits for in-flight requests, then drains the request log
      } finally {
        clearTimeout(timer);
        if (served.requestLog) await served.requestLog.close();
        await store?.db.close();
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    })();
    return closing;
  };
  const onSignal = (sig: NodeJS.Signals) => {
    log.info({ signal: sig }, 'shutting down: finishing in-flight requests and draining the request log');
    close().then(
      () => {
        log.info({ logged: served.requestLog?.written ?? 0 }, 'shutdown complete');
        if (cluster.isWorker) process.disconnect?.(); // the IPC channel would keep a worker alive
      },
      (e: unknown) => {
        log.error({ err: e }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  if (opts.handleSignals !== false) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  const url = `http://${host}:${port}`;
  served.ctx.cluster?.announce(url);
  return { ...served, url, port, store, close };
}

/** The environment a cluster primary gives its workers: the followed source and what it resolved to at start. */
const SOURCE_ENV = 'GNNOPS_SERVE_SOURCE';
const START_REF_ENV = 'GNNOPS_SERVE_START_REF';

/**
 * In a cluster worker: the model source and the ref the primary resolved it to (`NAME/VERSION` or a file), or
 * undefined outside a cluster or when the primary serves no source.
 */
export function clusterStartModel(): { source: string; ref: string } | undefined {
  const source = process.env[SOURCE_ENV];
  const ref = process.env[START_REF_ENV];
  return cluster.isWorker && source && ref ? { source, ref } : undefined;
}

/**
 * `gnnops serve`: one process, or with `serve.workers > 1` a cluster primary that forks that many workers, each of
 * which runs startServer. Resolves with the URL once every worker listens.
 * The primary resolves the model source once (`NAME@ALIAS` → `NAME/VERSION`) and hands the result to every
 * worker, so an alias that moves during start-up cannot leave the workers serving different versions; from then
 * on each worker follows the alias itself (hot reload) and POST /v1/admin/reload reloads them all.
 * Caution: cluster.fork re-runs the *current program* (process.argv) in each worker, which then reaches this call
 * again as a worker. Use `workers > 1` only from an entry point that does nothing expensive before serving (the
 * `serve` command, a small script); a command that trains first (`start`) should serve with 1 worker or spawn
 * `gnnops serve --workers N`.
 */
export async function serve(
  opts: StartOptions = {},
): Promise<{ url: string; close(): Promise<void>; server?: RunningServer }> {
  const config = serveSection.parse(opts.config ?? {});
  if (config.workers > 1 && cluster.isPrimary) {
    const source = opts.source ?? config.model;
    const env: Record<string, string> = {};
    if (source !== undefined && !opts.model) {
      // A source that does not resolve is left to the workers: the first one to fail stops the server with its
      // error, the same path as a model that resolves but does not load.
      const ref = await (opts.resolve ?? resolveModelRef)(source).catch(() => undefined);
      if (ref !== undefined) Object.assign(env, { [SOURCE_ENV]: source, [START_REF_ENV]: ref });
    }
    const primary = await runPrimary(config.workers, { handleSignals: opts.handleSignals, env });
    return { url: primary.url, close: primary.close };
  }
  try {
    const start = opts.model ? undefined : clusterStartModel();
    const server = await startServer(start ? { ...opts, source: start.source, startRef: start.ref } : opts);
    return { url: server.url, close: server.close, server };
  } catch (e) {
    // a worker that cannot start must exit (the IPC channel would keep it alive); the primary then gives up
    if (cluster.isWorker) setImmediate(() => process.disconnect?.());
    throw e;
  }
}
