import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { type ErrorCode, ErrorCodes, GnnopsError } from '../util/errors.js';
import { log } from '../util/logger.js';
import type { ServeMetrics } from './metrics.js';
import type { ModelHolder, SwapResult } from './model-holder.js';

/**
 * Several server processes on one port (`serve.workers`), like gunicorn workers: Node's cluster module hands
 * connections to the workers; the primary only supervises. What must stay one server is done over IPC:
 * - GET /metrics on any worker returns the sum over all workers (prom-client's AggregatorRegistry in the primary);
 * - POST /v1/admin/reload on any worker reloads every worker;
 * - SIGTERM/SIGINT to the primary is forwarded; each worker drains its requests and request log.
 * Each worker polls the registry itself (hot reload) and has its own request-log writer; only worker 0 runs the
 * background drift check.
 */

type ReloadArgs = { source?: string; force?: boolean };
type Wire =
  | { type: 'gnnops:listening'; url: string }
  | { type: 'gnnops:metrics'; id: number }
  | { type: 'gnnops:metrics:reply'; id: number; text?: string; error?: string }
  | { type: 'gnnops:reload'; id: number; args: ReloadArgs }
  | { type: 'gnnops:do-reload'; id: number; args: ReloadArgs }
  | { type: 'gnnops:do-reload:reply'; id: number; result?: WireSwap; error?: WireError }
  | { type: 'gnnops:reload:reply'; id: number; result?: WireSwap; error?: WireError };

interface WireSwap {
  changed: boolean;
  current: { name: string; version: string; ref: string };
  previous?: { name: string; version: string; ref: string };
}
interface WireError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

const isWire = (m: unknown): m is Wire =>
  typeof m === 'object' &&
  m !== null &&
  typeof (m as { type?: unknown }).type === 'string' &&
  (m as { type: string }).type.startsWith('gnnops:');

function toWireError(e: unknown): WireError {
  if (e instanceof GnnopsError) return { code: e.code, message: e.message, details: e.details };
  return { code: ErrorCodes.INTERNAL, message: (e as Error).message ?? String(e) };
}

export function toWireSwap(r: SwapResult): WireSwap {
  const ref = (e: SwapResult['current']) => ({ name: e.model.name, version: e.model.version, ref: e.ref });
  return { changed: r.changed, current: ref(r.current), ...(r.previous ? { previous: ref(r.previous) } : {}) };
}

/** Index of this worker (0-based), or undefined outside a cluster. */
export function workerIndex(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const i = Number(process.env.GNNOPS_SERVE_WORKER);
  return Number.isInteger(i) ? i : undefined;
}

/** Worker side: the IPC calls the routes use when the server runs as one of several workers. */
export interface ClusterLink {
  metrics(): Promise<string>;
  reload(args: ReloadArgs): Promise<WireSwap>;
  announce(url: string): void;
}

export function joinCluster(holder: ModelHolder, metrics: ServeMetrics): ClusterLink {
  new AggregatorRegistry(); // installs the worker's reply to the primary's metric requests
  AggregatorRegistry.setRegistries([metrics.registry]);
  let seq = 0;
  const waiting = new Map<number, (m: Wire) => void>();
  process.on('message', (m: unknown) => {
    if (!isWire(m)) return;
    if (m.type === 'gnnops:do-reload') {
      holder
        .reload(m.args)
        .then((r) => process.send?.({ type: 'gnnops:do-reload:reply', id: m.id, result: toWireSwap(r) }))
        .catch((e: unknown) => process.send?.({ type: 'gnnops:do-reload:reply', id: m.id, error: toWireError(e) }));
      return;
    }
    if ('id' in m) {
      waiting.get(m.id)?.(m);
      waiting.delete(m.id);
    }
  });
  const call = (msg: Wire, timeoutMs: number): Promise<Wire> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        waiting.delete((msg as { id: number }).id);
        reject(new GnnopsError(ErrorCodes.NOT_AVAILABLE, 'the cluster primary did not answer in time'));
      }, timeoutMs);
      waiting.set((msg as { id: number }).id, (m) => {
        clearTimeout(t);
        resolve(m);
      });
      process.send?.(msg);
    });
  return {
    async metrics() {
      const r = await call({ type: 'gnnops:metrics', id: ++seq }, 10_000);
      if (r.type !== 'gnnops:metrics:reply' || r.text === undefined) {
        throw new GnnopsError(
          ErrorCodes.NOT_AVAILABLE,
          `cluster metrics failed: ${r.type === 'gnnops:metrics:reply' ? r.error : ''}`,
        );
      }
      return r.text;
    },
    async reload(args) {
      const r = await call({ type: 'gnnops:reload', id: ++seq, args }, 10 * 60_000);
      if (r.type !== 'gnnops:reload:reply') throw new GnnopsError(ErrorCodes.INTERNAL, 'unexpected cluster reply');
      if (r.error) throw new GnnopsError(r.error.code, r.error.message, r.error.details);
      if (!r.result) throw new GnnopsError(ErrorCodes.INTERNAL, 'cluster reload returned nothing');
      return r.result;
    },
    announce(url) {
      process.send?.({ type: 'gnnops:listening', url });
    },
  };
}

export interface PrimaryHandle {
  /** URL the workers listen on. */
  url: string;
  /** Forward SIGTERM to the workers and wait for them to exit. */
  close(): Promise<void>;
}

/**
 * Primary side: fork `n` workers (each re-runs the current program with GNNOPS_SERVE_WORKER and `opts.env` set),
 * answer their metric and reload calls, re-fork a worker that dies unexpectedly, and forward SIGTERM/SIGINT.
 */
export function runPrimary(
  n: number,
  opts: { handleSignals?: boolean; env?: Record<string, string> } = {},
): Promise<PrimaryHandle> {
  const agg = new AggregatorRegistry();
  let closing = false;
  let reloadSeq = 0;
  const index = new Map<Worker, number>();
  const fork = (i: number) => {
    const w = cluster.fork({ ...opts.env, GNNOPS_SERVE_WORKER: String(i) });
    index.set(w, i);
    return w;
  };
  const workers = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  const broadcastReload = async (args: ReloadArgs): Promise<WireSwap> => {
    const all = workers().filter((w) => w.isConnected());
    const replies = await Promise.all(
      all.map(
        (w) =>
          new Promise<Wire>((resolve) => {
            const id = ++reloadSeq;
            const on = (m: unknown) => {
              if (isWire(m) && m.type === 'gnnops:do-reload:reply' && m.id === id) {
                w.off('message', on);
                resolve(m);
              }
            };
            w.on('message', on);
            w.send({ type: 'gnnops:do-reload', id, args });
          }),
      ),
    );
    for (const r of replies) {
      if (r.type === 'gnnops:do-reload:reply' && r.error)
        throw new GnnopsError(r.error.code, r.error.message, r.error.details);
    }
    const results = replies.flatMap((r) => (r.type === 'gnnops:do-reload:reply' && r.result ? [r.result] : []));
    if (results.length === 0) throw new GnnopsError(ErrorCodes.NOT_AVAILABLE, 'no worker answered the reload');
    return { ...results[0], changed: results.some((x) => x.changed) };
  };

  return new Promise((resolve, reject) => {
    // resolve once every initial worker listens (each has loaded the model), so the URL printed is fully served
    const listening = new Set<number>();
    let announced = false;
    cluster.on('message', (w, m: unknown) => {
      if (!isWire(m)) return;
      if (m.type === 'gnnops:listening') {
        const i = index.get(w);
        if (i !== undefined) listening.add(i);
        if (!announced && listening.size === n) {
          announced = true;
          resolve({ url: m.url, close });
        }
      } else if (m.type === 'gnnops:metrics') {
        agg.clusterMetrics().then(
          (text) => w.send({ type: 'gnnops:metrics:reply', id: m.id, text }),
          (e: unknown) => w.send({ type: 'gnnops:metrics:reply', id: m.id, error: (e as Error).message }),
        );
      } else if (m.type === 'gnnops:reload') {
        broadcastReload(m.args).then(
          (result) => w.send({ type: 'gnnops:reload:reply', id: m.id, result }),
          (e: unknown) => w.send({ type: 'gnnops:reload:reply', id: m.id, error: toWireError(e) }),
        );
      }
    });
    cluster.on('exit', (w, code, signal) => {
      const i = index.get(w);
      index.delete(w);
      if (closing || i === undefined) return;
      if (!announced) {
        // a worker that dies before listening (bad model ref, port in use …) would die again: give up
        void close().then(() =>
          reject(
            new GnnopsError(
              ErrorCodes.INTERNAL,
              `serve worker ${i} stopped before listening (exit ${code ?? signal}); see its error above`,
            ),
          ),
        );
        return;
      }
      log.error({ worker: i, code, signal }, 'serve worker died; starting a new one');
      fork(i);
    });
    let closed: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closed ??= (async () => {
        closing = true;
        const exits = workers().map((w) => new Promise<void>((r) => (w.isDead() ? r() : w.once('exit', () => r()))));
        for (const w of workers()) w.process.kill('SIGTERM');
        await Promise.all(exits);
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      })();
      return closed;
    };
    const onSignal = () => void close();
    if (opts.handleSignals !== false) {
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    }
    for (let i = 0; i < n; i++) fork(i);
  });
}
