import { EventEmitter } from 'node:events';
import { userInfo } from 'node:os';
import { insertReturning, insertRow, type SqlDb, type SqlExecutor, type Transaction } from '../db/index.js';
import { findRun, latestMetrics, runArtifacts } from '../track/queries.js';
import type { Store } from '../track/store.js';
import type { DatasetRef } from '../track/types.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { type AliasRecord, aliasEntity, auditEntity, eventEntity, modelEntity, versionEntity } from './entities.js';
import { type PromotionHooks, runPromotionHooks } from './hooks.js';
import { registryMigrations } from './migrations.js';
import { checkAlias, checkModelName, parseModelRef, parseVersion } from './refs.js';
import type {
  AliasAction,
  AliasChange,
  AuditEntry,
  ModelVersion,
  RegisteredModel,
  RegistryEvent,
  RegistryEventType,
} from './types.js';

/** Where a blob comes from: bytes, a file path, a blob already in the store, or a named artifact of the source run. */
export type BlobSource = Uint8Array | string | { digest: string } | { runArtifact: string };

export interface RegisterVersionInput {
  model: string;
  checkpoint: BlobSource;
  /** Source run; dataset, config, git and metrics default to the run's (metrics: the last value of each). */
  runId?: string;
  dataset?: DatasetRef;
  config?: unknown;
  metrics?: Record<string, number>;
  git?: { sha: string; dirty: boolean } | null;
  /** Reference data profile for drift detection (optional). */
  referenceProfile?: BlobSource;
  description?: string;
  tags?: Record<string, string>;
  /** Who registers; default $USER. */
  by?: string;
}

export interface AliasChangeOptions {
  reason?: string;
  /** Who; default $USER. */
  by?: string;
  /** Skip the configured command/webhook (the event is still recorded and emitted). */
  skipHooks?: boolean;
}

export interface RegistryOptions {
  hooks?: PromotionHooks;
}

export interface RegistryEventMap {
  'version.registered': [ModelVersion];
  'alias.changed': [AliasChange];
}

/** In-process registry events, shared by every Registry instance of the process. */
export const registryEvents = new EventEmitter<RegistryEventMap>();

export function currentUser(): string {
  const env = process.env.USER ?? process.env.USERNAME;
  if (env) return env;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * The model registry: registered models with numbered, immutable versions, MLflow-style aliases with an
 * append-only audit log, and a persistent event stream. It speaks only the portable SQL of `SqlDb`, so one
 * registry serves the embedded SQLite workspace and a PostgreSQL store shared by many machines.
 *
 * Registration is crash-safe: the checkpoint is written to the content-addressed folder first (temp file,
 * fsync, rename), then one transaction inserts the version and its event. A crash before the commit leaves the
 * old state (plus at worst an unreferenced blob); after it, the new one, checkpoint included.
 *
 * Concurrency: every write takes the model's lock key first (two registrations never read the same MAX(version);
 * two promotions never move an alias from the same "before"), then the event-stream key, so events commit in id
 * order and a poller reading `id > last` never skips one committed late. Keys are always taken in that order.
 */
export class Registry {
  readonly store: Store;
  readonly events = registryEvents;
  hooks: PromotionHooks;
  readonly #db: SqlDb;
  readonly #ready: Promise<unknown>;

  constructor(store: Store, opts: RegistryOptions = {}) {
    this.store = store;
    this.#db = store.sql;
    this.hooks = opts.hooks ?? {};
    this.#ready = store.migrate(registryMigrations);
    // Awaited by every method; this keeps a failure from being reported as unhandled before the first call.
    this.#ready.catch(() => undefined);
  }

  // ---- versions -------------------------------------------------------------------------------------------

  async registerVersion(input: RegisterVersionInput): Promise<ModelVersion> {
    checkModelName(input.model);
    await this.#ready;
    const db = this.#db;
    const run = input.runId !== undefined ? await findRun(db, input.runId) : null;
    const checkpoint = await this.#blob(input.checkpoint, run?.id ?? null, 'checkpoint');
    const profile = input.referenceProfile
      ? await this.#blob(input.referenceProfile, run?.id ?? null, 'referenceProfile')
      : null;
    const metrics =
      input.metrics ??
      (run ? Object.fromEntries(Object.entries(await latestMetrics(db, run.id)).map(([k, v]) => [k, v.value])) : {});
    for (const [k, v] of Object.entries(metrics)) {
      if (typeof v !== 'number') {
        throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `metrics.${k}: ${JSON.stringify(v)} is not a number`, {
          key: k,
        });
      }
    }
    const dataset = input.dataset ?? (run?.datasetHash ? { name: run.datasetName ?? '', hash: run.datasetHash } : null);
    const git =
      input.git !== undefined ? input.git : run?.gitSha ? { sha: run.gitSha, dirty: run.gitDirty ?? false } : null;
    const config = input.config ?? run?.config ?? {};
    const by = input.by ?? currentUser();
    const now = Date.now();

    const version = await db.transaction(async (tx) => {
      await lockModel(tx, input.model);
      await insertRow(tx, modelEntity.table, modelEntity.cells({ name: input.model, createdAt: now }), {
        onConflict: 'ignore',
      });
      const top = await tx.query<{ v: number | null }>(
        'SELECT MAX(version) AS v FROM model_versions WHERE model = $1',
        [input.model],
      );
      const v = (top[0]?.v ?? 0) + 1;
      const row = versionEntity.toRow({
        model: input.model,
        version: v,
        runId: run?.id ?? null,
        checkpointDigest: checkpoint.digest,
        checkpointSize: checkpoint.size,
        datasetName: dataset?.name ?? null,
        datasetHash: dataset?.hash ?? null,
        config,
        metrics,
        gitSha: git?.sha ?? null,
        gitDirty: git ? git.dirty : null,
        referenceProfileDigest: profile?.digest ?? null,
        description: input.description ?? null,
        tags: input.tags ?? {},
        createdAt: now,
        createdBy: by,
      });
      await insertRow(tx, versionEntity.table, row);
      await insertEvent(tx, 'version.registered', input.model, v, null, null, now, {
        runId: run?.id ?? null,
        checkpointDigest: checkpoint.digest,
        by,
      });
      return v;
    });
    const mv = await this.getVersion(input.model, version);
    registryEvents.emit('version.registered', mv);
    return mv;
  }

  async getVersion(model: string, version: number | string): Promise<ModelVersion> {
    await this.#ready;
    return this.#getVersion(this.#db, model, parseVersion(version));
  }

  /** Versions of a model, oldest first. */
  async listVersions(model: string): Promise<ModelVersion[]> {
    await this.#ready;
    await requireModel(this.#db, model);
    const rows = await this.#db.query('SELECT * FROM model_versions WHERE model = $1 ORDER BY version', [model]);
    const byVersion = aliasesByVersion(await this.#aliasRows(this.#db, model));
    return rows.map((r) => this.#decodeVersion(r, byVersion));
  }

  async listModels(): Promise<RegisteredModel[]> {
    await this.#ready;
    const rows = await this.#db.query<{ latest: number | null }>(
      `SELECT m.*, MAX(v.version) AS latest
       FROM registered_models m LEFT JOIN model_versions v ON v.model = m.name GROUP BY m.name ORDER BY m.name`,
    );
    const aliases = new Map<string, Record<string, number>>();
    for (const a of (await this.#db.query('SELECT * FROM model_aliases ORDER BY model, alias')).map((r) =>
      aliasEntity.fromRow(r),
    )) {
      const m = aliases.get(a.model) ?? {};
      m[a.alias] = a.version;
      aliases.set(a.model, m);
    }
    return rows.map((r) => {
      const m = modelEntity.fromRow(r);
      return { ...m, latestVersion: r.latest ?? 0, aliases: aliases.get(m.name) ?? {} };
    });
  }

  async getModel(model: string): Promise<RegisteredModel> {
    await this.#ready;
    await requireModel(this.#db, model);
    const rows = await this.#db.query<{ latest: number | null }>(
      `SELECT m.*, MAX(v.version) AS latest
       FROM registered_models m LEFT JOIN model_versions v ON v.model = m.name WHERE m.name = $1 GROUP BY m.name`,
      [model],
    );
    const m = modelEntity.fromRow(rows[0]);
    return { ...m, latestVersion: rows[0]?.latest ?? 0, aliases: await this.#aliases(this.#db, model) };
  }

  /**
   * The one model with a version under `alias`, for commands whose `--model` may be left out. Guessing among
   * several would act on the wrong model silently, so more than one (or none) is an error that lists the choices.
   */
  async soleModelWithAlias(alias = 'production'): Promise<string> {
    const withAlias = (await this.listModels()).filter((m) => m.aliases[alias] !== undefined).map((m) => m.name);
    if (withAlias.length === 1) return withAlias[0]!;
    if (withAlias.length === 0)
      throw new GnnopsError(
        ErrorCodes.NOT_FOUND,
        `no registered model has a "${alias}" version; pass --model NAME (gnnops models list shows them)`,
        { field: 'model', alias },
      );
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `${withAlias.length} models have a "${alias}" version; pass --model with one of: ${withAlias.join(', ')}`,
      { field: 'model', alias, choices: withAlias },
    );
  }

  /** `name@alias`, `name/3`, `name/latest`, `name` (latest), with an optional `models:/` prefix. */
  async resolve(ref: string): Promise<ModelVersion> {
    const r = parseModelRef(ref);
    await this.#ready;
    const db = this.#db;
    if (r.kind === 'version') return this.#getVersion(db, r.model, r.version);
    if (r.kind === 'latest') {
      await requireModel(db, r.model);
      const rows = await db.query('SELECT * FROM model_versions WHERE model = $1 ORDER BY version DESC LIMIT 1', [
        r.model,
      ]);
      if (rows.length === 0)
        throw new GnnopsError(ErrorCodes.NOT_FOUND, `model "${r.model}" has no versions yet`, { model: r.model });
      return this.#decodeVersion(rows[0], aliasesByVersion(await this.#aliasRows(db, r.model)));
    }
    const v = (await this.#aliases(db, r.model))[r.alias];
    if (v === undefined) {
      await requireModel(db, r.model);
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `model "${r.model}" has no alias "${r.alias}"`, {
        model: r.model,
        alias: r.alias,
      });
    }
    return this.#getVersion(db, r.model, v);
  }

  // ---- aliases --------------------------------------------------------------------------------------------

  /** alias → version for a model. */
  async aliases(model: string): Promise<Record<string, number>> {
    await this.#ready;
    return this.#aliases(this.#db, model);
  }

  /** Point `alias` at `version`. Promoting the version the alias already holds is a no-op (`changed: false`). */
  async promote(
    model: string,
    version: number | string,
    alias: string,
    opts: AliasChangeOptions & { action?: 'promote' | 'auto-promote' } = {},
  ): Promise<AliasChange> {
    checkAlias(alias);
    const v = parseVersion(version);
    await this.#ready;
    const change = await this.#db.transaction(async (tx) => {
      await lockModel(tx, model);
      await this.#getVersion(tx, model, v);
      const from = (await this.#aliases(tx, model))[alias] ?? null;
      if (from === v) return noChange(model, alias, v);
      return setAlias(tx, model, alias, from, v, opts.action ?? 'promote', opts);
    });
    return this.#afterChange(change, opts);
  }

  /**
   * Move `alias` back to the version it held before its current one. The history is the audit log replayed
   * as a stack (promote pushes, rollback pops, remove pushes "none"), so repeated rollbacks walk further back.
   */
  async rollback(model: string, alias: string, opts: AliasChangeOptions = {}): Promise<AliasChange> {
    checkAlias(alias);
    await this.#ready;
    const change = await this.#db.transaction(async (tx) => {
      await lockModel(tx, model);
      await requireModel(tx, model);
      const stack: (number | null)[] = [];
      for (const e of await auditRows(tx, model, alias)) {
        if (e.action === 'rollback') stack.pop();
        else stack.push(e.toVersion);
      }
      const current = (await this.#aliases(tx, model))[alias] ?? null;
      const target = stack.length >= 2 ? stack[stack.length - 2] : null;
      if (target === null || target === undefined) {
        throw new GnnopsError(
          ErrorCodes.CONFLICT,
          `cannot roll back ${model}@${alias}: no earlier version in its history (currently ${current ?? 'unset'})`,
          { model, alias, current },
        );
      }
      return setAlias(tx, model, alias, current, target, 'rollback', opts);
    });
    return this.#afterChange(change, opts);
  }

  /** Remove an alias (a later rollback restores it). */
  async removeAlias(model: string, alias: string, opts: AliasChangeOptions = {}): Promise<AliasChange> {
    checkAlias(alias);
    await this.#ready;
    const change = await this.#db.transaction(async (tx) => {
      await lockModel(tx, model);
      await requireModel(tx, model);
      const from = (await this.#aliases(tx, model))[alias] ?? null;
      if (from === null) return noChange(model, alias, null);
      return setAlias(tx, model, alias, from, null, 'remove', opts);
    });
    return this.#afterChange(change, opts);
  }

  /** The alias audit log of a model (optionally one alias), oldest first. */
  async auditLog(model: string, alias?: string): Promise<AuditEntry[]> {
    await this.#ready;
    return auditRows(this.#db, model, alias);
  }

  // ---- events ---------------------------------------------------------------------------------------------

  /** Persisted events with `id > afterId`, oldest first: what a server in another process polls. */
  async eventsSince(afterId = 0, limit = 100): Promise<RegistryEvent[]> {
    await this.#ready;
    const rows = await this.#db.query('SELECT * FROM registry_events WHERE id > $1 ORDER BY id LIMIT $2', [
      afterId,
      limit,
    ]);
    return rows.map((r) => eventEntity.fromRow(r));
  }

  /** Whether the store pushes event notices (PostgreSQL); with SQLite, followers poll `eventsSince`. */
  get pushes(): boolean {
    return this.#db.pushes;
  }

  /**
   * Call onNotice whenever an event commits in any process on the store (the notice carries the event's id; read the
   * event itself with `eventsSince`), and onReconnect after a dropped connection is re-subscribed (notices sent
   * meanwhile are lost, so re-read). Null when the store does not push. Call the returned function to stop.
   */
  async listen(
    onNotice: (notice: RegistryNotice) => void,
    onReconnect?: () => void,
  ): Promise<(() => Promise<void>) | null> {
    await this.#ready;
    return this.#db.listen(
      REGISTRY_CHANNEL,
      (payload) => {
        let notice: RegistryNotice | null = null;
        try {
          notice = JSON.parse(payload) as RegistryNotice;
        } catch {
          // A foreign sender on the channel: still a reason to re-read.
        }
        onNotice(notice ?? { id: 0, type: null, model: null, alias: null, version: null });
      },
      onReconnect,
    );
  }

  /** Id of the newest event (0 when none). */
  async lastEventId(): Promise<number> {
    await this.#ready;
    const rows = await this.#db.query<{ id: number | null }>('SELECT MAX(id) AS id FROM registry_events');
    return rows[0]?.id ?? 0;
  }

  // ---- internals ------------------------------------------------------------------------------------------

  async #blob(src: BlobSource, runId: string | null, field: string): Promise<{ digest: string; size: number }> {
    const cas = this.store.cas;
    if (src instanceof Uint8Array) return cas.putBytes(src);
    if (typeof src === 'string') return cas.putFile(src);
    if ('digest' in src) {
      if (!cas.has(src.digest)) {
        throw new GnnopsError(ErrorCodes.NOT_FOUND, `${field}: blob ${src.digest} is not in the artifact store`, {
          field,
          digest: src.digest,
        });
      }
      return { digest: src.digest, size: cas.size(src.digest) };
    }
    if (runId === null) {
      throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `${field}: { runArtifact } needs runId`, { field });
    }
    const art = (await runArtifacts(this.#db, cas, runId)).find((a) => a.name === src.runArtifact);
    if (!art) {
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `${field}: run ${runId} has no artifact "${src.runArtifact}"`, {
        field,
        run: runId,
        artifact: src.runArtifact,
      });
    }
    if (!cas.has(art.digest)) {
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `${field}: the blob of artifact "${art.name}" is missing`, {
        digest: art.digest,
      });
    }
    return { digest: art.digest, size: art.size };
  }

  async #getVersion(ex: SqlExecutor, model: string, v: number): Promise<ModelVersion> {
    const rows = await ex.query('SELECT * FROM model_versions WHERE model = $1 AND version = $2', [model, v]);
    if (rows.length === 0) {
      await requireModel(ex, model);
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `model "${model}" has no version ${v}`, { model, version: v });
    }
    const aliases = await ex.query<{ alias: string }>(
      'SELECT alias FROM model_aliases WHERE model = $1 AND version = $2 ORDER BY alias',
      [model, v],
    );
    return this.#decodeVersion(rows[0], new Map([[v, aliases.map((a) => a.alias)]]));
  }

  #aliasRows(ex: SqlExecutor, model: string): Promise<AliasRecord[]> {
    return ex
      .query('SELECT * FROM model_aliases WHERE model = $1 ORDER BY alias', [model])
      .then((rows) => rows.map((r) => aliasEntity.fromRow(r)));
  }

  async #aliases(ex: SqlExecutor, model: string): Promise<Record<string, number>> {
    return Object.fromEntries((await this.#aliasRows(ex, model)).map((r) => [r.alias, r.version]));
  }

  #decodeVersion(row: unknown, aliases: Map<number, string[]>): ModelVersion {
    const v = versionEntity.fromRow(row);
    return { ...v, checkpointPath: this.store.cas.pathOf(v.checkpointDigest), aliases: aliases.get(v.version) ?? [] };
  }

  /** After the commit: emit in-process, then run the configured hooks. */
  async #afterChange(change: AliasChange, opts: AliasChangeOptions): Promise<AliasChange> {
    if (!change.changed || !change.event) return change;
    registryEvents.emit('alias.changed', change);
    if (!opts.skipHooks && (this.hooks.command || this.hooks.webhook)) {
      change.hooks = await runPromotionHooks(change.event, this.hooks);
    }
    return change;
  }
}

/** The push channel of registry events (PostgreSQL LISTEN/NOTIFY). */
export const REGISTRY_CHANNEL = 'gnnops_registry';

/** What a push says about the event that committed; the event stream holds the rest. */
export interface RegistryNotice {
  /** The event's id (0 when the message could not be read). */
  id: number;
  type: RegistryEventType | null;
  model: string | null;
  alias: string | null;
  version: number | null;
}

/** Serialise writers of one model (version allocation, alias moves) across processes and machines. */
function lockModel(tx: Transaction, model: string): Promise<void> {
  return tx.lockKey(`gnnops:registry:model:${model}`);
}

function aliasesByVersion(rows: readonly AliasRecord[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const r of rows) out.set(r.version, [...(out.get(r.version) ?? []), r.alias]);
  return out;
}

async function requireModel(ex: SqlExecutor, model: string): Promise<void> {
  checkModelName(model);
  const rows = await ex.query('SELECT 1 AS ok FROM registered_models WHERE name = $1', [model]);
  if (rows.length === 0) throw new GnnopsError(ErrorCodes.NOT_FOUND, `no registered model "${model}"`, { model });
}

async function auditRows(ex: SqlExecutor, model: string, alias?: string): Promise<AuditEntry[]> {
  const rows =
    alias === undefined
      ? await ex.query('SELECT * FROM alias_audit WHERE model = $1 ORDER BY id', [model])
      : await ex.query('SELECT * FROM alias_audit WHERE model = $1 AND alias = $2 ORDER BY id', [model, alias]);
  return rows.map((r) => auditEntity.fromRow(r));
}

/** Inside a transaction that holds its model's key: append an event, after taking the event-stream key. */
async function insertEvent(
  tx: Transaction,
  type: RegistryEventType,
  model: string,
  version: number | null,
  alias: string | null,
  from: number | null,
  at: number,
  payload: Record<string, unknown>,
): Promise<RegistryEvent> {
  await tx.lockKey('gnnops:registry:events');
  const event = { type, model, version, alias, fromVersion: from, at, payload };
  const id = await insertReturning(tx, eventEntity.table, eventEntity.cells(event), 'id');
  // Delivered at commit, so a listener that re-reads the stream on the message finds the event.
  await tx.notify(REGISTRY_CHANNEL, JSON.stringify({ id, type, model, alias, version }));
  return { id, ...event };
}

/** Inside a transaction that holds its model's key: move the alias, append the audit row and the event. */
async function setAlias(
  tx: Transaction,
  model: string,
  alias: string,
  from: number | null,
  to: number | null,
  action: AliasAction,
  opts: AliasChangeOptions,
): Promise<AliasChange> {
  const now = Date.now();
  const who = opts.by ?? currentUser();
  const reason = opts.reason ?? '';
  if (to === null) await tx.run('DELETE FROM model_aliases WHERE model = $1 AND alias = $2', [model, alias]);
  else
    await insertRow(tx, aliasEntity.table, aliasEntity.toRow({ model, alias, version: to, updatedAt: now }), {
      onConflict: { update: ['model', 'alias'] },
    });
  const entry = { model, alias, action, fromVersion: from, toVersion: to, who, at: now, reason };
  const id = await insertReturning(tx, auditEntity.table, auditEntity.cells(entry), 'id');
  const audit: AuditEntry = { id, ...entry };
  const event = await insertEvent(tx, 'alias.changed', model, to, alias, from, now, { action, who, reason });
  return { changed: true, model, alias, fromVersion: from, toVersion: to, audit, event, hooks: [] };
}

function noChange(model: string, alias: string, v: number | null): AliasChange {
  return { changed: false, model, alias, fromVersion: v, toVersion: v, audit: null, event: null, hooks: [] };
}
