import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { log } from '../util/logger.js';
import type { ServedModel } from './model.js';

/** The model being served, with the ref it was loaded from. */
export interface ModelEntry {
  readonly model: ServedModel;
  /** What was loaded: NAME/VERSION, a checkpoint path … */
  readonly ref: string;
  readonly loadedAt: Date;
  /** Requests currently using this entry; a retired entry is closed when it drops to 0. */
  inUse: number;
  retired: boolean;
}

export interface SwapResult {
  changed: boolean;
  current: ModelEntry;
  previous?: ModelEntry;
}

export interface ModelHolderOptions {
  /** ref → model (the loader seam, or a test fixture). */
  load: (ref: string) => Promise<ServedModel>;
  /** source → the ref to serve now, e.g. `wikics@production` → `wikics/7` (registry); default identity. */
  resolve?: (source: string) => Promise<string>;
  /** Called after every swap (metrics). */
  onSwap?: (entry: ModelEntry, previous: ModelEntry | undefined) => void;
  /** Called when a watcher-triggered reload fails (the old model keeps serving). */
  onWatchError?: (e: unknown) => void;
  /**
   * Pushed notices that what sources resolve to may have changed (the registry's LISTEN on PostgreSQL): `onChange`
   * for every registry change, `onReconnect` after a dropped subscription is back (changes meanwhile were missed).
   * Resolves to the function that stops it, or null when the store does not push (the poll alone follows it).
   */
  subscribe?: (onChange: () => void, onReconnect: () => void) => Promise<(() => Promise<void>) | null>;
}

/**
 * Holds the served model and swaps it atomically. A request takes the current entry once (`acquire`) and uses
 * it to the end, so a swap never changes a model under a running request; the old entry is closed when its last
 * request releases it. Loads are serialised: two reloads never race, and a failed load keeps the old model.
 */
export class ModelHolder {
  private entry: ModelEntry | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  /** A check was asked for while one ran: run one more when it ends, so a notice is never lost to an overlap. */
  private recheck = false;
  private unsubscribe: Promise<(() => Promise<void>) | null> | undefined;
  private subscribeFailed = false;
  /** The last subscription's stop, awaited by close so no listening connection outlives the holder. */
  private unsubscribed: Promise<void> | undefined;
  /** What the server follows (NAME@ALIAS or a fixed ref). */
  source: string | undefined;

  constructor(private readonly opts: ModelHolderOptions) {}

  get current(): ModelEntry | undefined {
    return this.entry;
  }

  /** Set at shutdown: readiness turns false while requests are still served. */
  draining = false;

  get ready(): boolean {
    return this.entry !== undefined && !this.draining;
  }

  /** The current entry for one request; release it when the request is done. 503 when nothing is loaded. */
  acquire(): ModelEntry {
    const e = this.entry;
    if (!e)
      throw new GnnopsError(ErrorCodes.MODEL_NOT_READY, 'no model is loaded yet; retry when /v2/health/ready is 200');
    e.inUse++;
    return e;
  }

  release(e: ModelEntry): void {
    e.inUse--;
    if (e.retired && e.inUse === 0) void this.closeEntry(e);
  }

  /** Serve an already-built model (tests, or a loader run before the server started). */
  set(model: ServedModel, ref: string): SwapResult {
    return this.swap(model, ref);
  }

  /**
   * Resolve the source (or `source` given here, which becomes the new source) and load + swap if the resolved ref
   * differs from the current one, or always with `force`. Serialised with every other reload. `ref` skips the
   * resolution: it is what the source resolved to elsewhere (a cluster primary resolves once for all its workers,
   * so that a promotion during start-up cannot leave the workers on different versions).
   */
  reload(opts: { source?: string; force?: boolean; ref?: string } = {}): Promise<SwapResult> {
    const run = async (): Promise<SwapResult> => {
      const source = opts.source ?? this.source;
      if (source === undefined) {
        throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, 'model: nothing to reload; give {"model": "NAME@ALIAS"}', {
          field: 'model',
        });
      }
      const ref = opts.ref ?? (this.opts.resolve ? await this.opts.resolve(source) : source);
      if (opts.source !== undefined) this.source = opts.source;
      const cur = this.entry;
      if (cur && cur.ref === ref && !opts.force) return { changed: false, current: cur };
      const model = await this.opts.load(ref);
      return this.swap(model, ref);
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /**
   * Follow the source: resolve it again every `ms` (the fallback, and all there is with SQLite) and on every pushed
   * notice, and swap when it resolves to a new ref (an alias moved). `ms` 0 turns both off.
   */
  watch(ms: number): void {
    this.unwatch();
    if (ms <= 0) return;
    this.timer = setInterval(() => {
      // A subscription that failed (the store was unreachable) is tried again with the poll.
      if (this.subscribeFailed) this.subscribe(ms);
      this.check();
    }, ms);
    this.timer.unref();
    this.subscribe(ms);
  }

  private subscribe(ms: number): void {
    const sub = this.opts.subscribe;
    if (!sub) return;
    this.subscribeFailed = false;
    const onPush = () => this.check();
    const subscribing = sub(onPush, onPush).catch((e: unknown) => {
      log.warn({ err: e }, `model watch: no pushed registry notices yet; polling every ${ms} ms and retrying`);
      this.subscribeFailed = true;
      return null;
    });
    this.unsubscribe = subscribing;
    // A move committed while subscribing sent its notice to nobody.
    void subscribing.then((stop) => {
      if (stop && this.unsubscribe === subscribing) this.check();
    });
  }

  /** Resolve the source once and swap if it moved; a check asked for during one runs right after it. */
  check(): void {
    if (this.source === undefined) return;
    if (this.polling) {
      this.recheck = true;
      return;
    }
    this.polling = true;
    this.recheck = false;
    this.reload()
      .then((r) => {
        if (r.changed) log.info({ ref: r.current.ref, previous: r.previous?.ref }, 'model swapped (alias moved)');
      })
      .catch((e: unknown) => {
        this.opts.onWatchError?.(e);
        log.warn({ err: e }, 'model watch: reload failed; still serving the old model');
      })
      .finally(() => {
        this.polling = false;
        if (this.recheck && this.timer) this.check();
      });
  }

  unwatch(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const sub = this.unsubscribe;
    this.unsubscribe = undefined;
    this.subscribeFailed = false;
    if (sub) this.unsubscribed = sub.then((stop) => stop?.()).catch(() => undefined);
  }

  /** Stop watching and close the current model once idle. */
  async close(): Promise<void> {
    this.unwatch();
    await this.unsubscribed;
    await this.chain;
    const e = this.entry;
    this.entry = undefined;
    if (e) {
      e.retired = true;
      if (e.inUse === 0) await this.closeEntry(e);
    }
  }

  private swap(model: ServedModel, ref: string): SwapResult {
    const previous = this.entry;
    const current: ModelEntry = { model, ref, loadedAt: new Date(), inUse: 0, retired: false };
    this.entry = current;
    this.opts.onSwap?.(current, previous);
    if (previous) {
      previous.retired = true;
      if (previous.inUse === 0) void this.closeEntry(previous);
    }
    return { changed: true, current, previous };
  }

  private async closeEntry(e: ModelEntry): Promise<void> {
    try {
      await e.model.close?.();
    } catch (err) {
      log.warn({ err, ref: e.ref }, 'closing a retired model failed');
    }
  }
}
