import type { Registry } from './registry.js';
import type { RegistryEvent, RegistryEventType } from './types.js';

export interface WatchOptions {
  /** Deliver events with id greater than this; default: the newest at start (only future events). */
  afterId?: number;
  /**
   * Poll period; default 1000 ms. One indexed query per poll. With a store that pushes (PostgreSQL), events arrive
   * on their notice and the poll is only the fallback for a notice lost while the listening connection was down.
   */
  intervalMs?: number;
  types?: readonly RegistryEventType[];
  /** Follow the store's pushed notices when it has them (default true); false polls only. */
  push?: boolean;
}

export interface RegistryWatcher {
  /** Id of the last event delivered (or the starting point). */
  readonly lastId: number;
  /** Whether events arrive by push (PostgreSQL LISTEN) rather than only by the poll. */
  readonly pushed: boolean;
  /** Poll now (also what the timer and each notice call); returns the events delivered. Polls never overlap. */
  poll(): Promise<RegistryEvent[]>;
  /** Stop the timer and the listening connection. */
  stop(): Promise<void>;
}

/**
 * Follow the persistent registry event stream from any process: e.g. a server reloading when
 * `alias.changed` moves `production`. Delivery is at-least-once per watcher and in id order; a handler that
 * throws stops nothing (the error is passed to `onError`, default: rethrown asynchronously).
 *
 * The stream is always read from the table, so a push only says "read now": each notice and each re-subscription
 * after a dropped connection triggers a poll, and the timer catches anything else.
 */
export async function watchRegistry(
  registry: Registry,
  opts: WatchOptions,
  onEvent: (e: RegistryEvent) => void,
  onError: (e: unknown) => void = (e) =>
    queueMicrotask(() => {
      throw e;
    }),
): Promise<RegistryWatcher> {
  let last = opts.afterId ?? (await registry.lastEventId());
  const types = opts.types ? new Set(opts.types) : null;
  let running: Promise<RegistryEvent[]> | null = null;
  const drain = async (): Promise<RegistryEvent[]> => {
    const out: RegistryEvent[] = [];
    for (;;) {
      const batch = await registry.eventsSince(last, 500);
      for (const e of batch) {
        last = e.id;
        if (types && !types.has(e.type)) continue;
        out.push(e);
        try {
          onEvent(e);
        } catch (err) {
          onError(err);
        }
      }
      if (batch.length < 500) return out;
    }
  };
  const poll = (): Promise<RegistryEvent[]> => {
    // A poll asked for while one runs waits for it, then reads what arrived meanwhile.
    const next: Promise<RegistryEvent[]> = (running ?? Promise.resolve([])).catch(() => []).then(drain);
    running = next;
    void next
      .finally(() => {
        if (running === next) running = null;
      })
      .catch(() => undefined);
    return next;
  };
  const timer = setInterval(() => {
    if (running) return;
    poll().catch(onError);
  }, opts.intervalMs ?? 1000);
  timer.unref();
  const kick = () => {
    poll().catch(onError);
  };
  let unlisten: (() => Promise<void>) | null = null;
  if (opts.push !== false && registry.pushes) {
    try {
      unlisten = await registry.listen((n) => {
        if (n.id === 0 || n.id > last) kick();
      }, kick);
    } catch (e) {
      // The poll still follows the stream; the caller hears why pushes are off.
      onError(e);
    }
    // An event committed between the starting id and the subscription sent its notice to nobody.
    if (unlisten) kick();
  }
  return {
    get lastId() {
      return last;
    },
    get pushed() {
      return unlisten !== null;
    },
    poll,
    stop: async () => {
      clearInterval(timer);
      await unlisten?.();
      unlisten = null;
    },
  };
}
