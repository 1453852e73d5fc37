import { EventEmitter } from 'node:events';
import { userInfo } from 'node:os';
import type Database from 'better-sqlite3';
import { findRun, latestMetrics, runArtifacts } from '../track/queries.js';
import { insertRow } from '../track/sql.js';
import type { Store } from '../track/store.js';
import type { DatasetRef } from '../track/types.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { aliasEntity, auditEntity, eventEntity, modelEntity, versionEntity } from './entities.js';
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
 * append-only audit log, and a persistent event stream.
 *
 * Registration is crash-safe: the checkpoint is written to the content-addressed folder first (temp file,
 * fsync, rename), then one SQLite transaction inserts the version and its event. A crash before the commit
 * leaves the old state (plus at worst an unreferenced blob); after it, the new one, checkpoint included.
 */
export class Registry {
  readonly store: Store;
  readonly events = registryEvents;
  hooks: PromotionHooks;
  readonly #db: Database.Database;

  constructor(store: Store, opts: RegistryOptions = {}) {
    this.store = store;
    this.#db = store.db;
    this.hooks = opts.hooks ?? {};
    store.applyMigrations(registryMigrations);
  }

  // ---- versions -------------------------------------------------------------------------------------------

  registerVersion(input: RegisterVersionInput): ModelVersion {
    checkModelName(input.model);
    const db = this.#db;
    const run = input.runId !== undefined ? findRun(db, input.runId) : null;
    const checkpoint = this.#blob(input.checkpoint, run?.id ?? null, 'checkpoint');
    const profile = input.referenceProfile
      ? this.#blob(input.referenceProfile, run?.id ?? null, 'referenceProfile')
      : null;
    const metrics =
      input.metrics ??
      (run ? Object.fromEntries(Object.entries(latestMetrics(db, run.id)).map(([k, v]) => [k, v.value])) : {});
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

    const version = db
      .transaction(() => {
        insertRow(db, modelEntity.table, modelEntity.cells({ name: input.model, createdAt: now }), {
          onConflict: 'ignore',
        });
        const v =
          (db
            .prepare<[string], { v: number | null }>('SELECT MAX(version) AS v FROM model_versions WHERE model = ?')
            .get(input.model)?.v ?? 0) + 1;
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
        insertRow(db, versionEntity.table, row);
        this.#insertEvent('version.registered', input.model, v, null, null, now, {
          runId: run?.id ?? null,
          checkpointDigest: checkpoint.digest,
          by,
        });
        return v;
      })
      .immediate();
    const mv = this.getVersion(input.model, version);
    registryEvents.emit('version.registered', mv);
    return mv;
  }

  getVersion(model: string, version: number | string): ModelVersion {
    const v = parseVersion(version);
    const row = this.#db
      .prepare<[string, number], unknown>('SELECT * FROM model_versions WHERE model = ? AND version = ?')
      .get(model, v);
    if (!row) {
      this.#requireModel(model);
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `model "${model}" has no version ${v}`, { model, version: v });
    }
    return this.#decodeVersion(row);
  }

  /** Versions of a model, oldest first. */
  listVersions(model: string): ModelVersion[] {
    this.#requireModel(model);
    return this.#db
      .prepare<[string], unknown>('SELECT * FROM model_versions WHERE model = ? ORDER BY version')
      .all(model)
      .map((r) => this.#decodeVersion(r));
  }

  listModels(): RegisteredModel[] {
    const rows = this.#db
      .prepare<[], { latest: number | null }>(
        `SELECT m.*, MAX(v.version) AS latest
         FROM registered_models m LEFT JOIN model_versions v ON v.model = m.name GROUP BY m.name ORDER BY m.name`,
      )
      .all();
    return rows.map((r) => {
      const m = modelEntity.fromRow(r);
      return { ...m, latestVersion: r.latest ?? 0, aliases: this.aliases(m.name) };
    });
  }

  getModel(model: string): RegisteredModel {
    const m = this.listModels().find((x) => x.name === model);
    if (!m) this.#requireModel(model);
    return m!;
  }

  /**
   * The one model with a version under `alias`, for commands whose `--model` may be left out. Guessing among
   * several would act on the wrong model silently, so more than one (or none) is an error that lists the choices.
   */
  soleModelWithAlias(alias = 'production'): string {
    const withAlias = this.listModels()
      .filter((m) => m.aliases[alias] !== undefined)
      .map((m) => m.name);
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
  resolve(ref: string): ModelVersion {
    const r = parseModelRef(ref);
    if (r.kind === 'version') return this.getVersion(r.model, r.version);
    if (r.kind === 'latest') {
      this.#requireModel(r.model);
      const row = this.#db
        .prepare<[string], unknown>('SELECT * FROM model_versions WHERE model = ? ORDER BY version DESC LIMIT 1')
        .get(r.model);
      if (!row)
        throw new GnnopsError(ErrorCodes.NOT_FOUND, `model "${r.model}" has no versions yet`, { model: r.model });
      return this.#decodeVersion(row);
    }
    const v = this.aliases(r.model)[r.alias];
    if (v === undefined) {
      this.#requireModel(r.model);
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `model "${r.model}" has no alias "${r.alias}"`, {
        model: r.model,
        alias: r.alias,
      });
    }
    return this.getVersion(r.model, v);
  }

  // ---- aliases --------------------------------------------------------------------------------------------

  /** alias → version for a model. */
  aliases(model: string): Record<string, number> {
    const rows = this.#db
      .prepare<[string], unknown>('SELECT * FROM model_aliases WHERE model = ? ORDER BY alias')
      .all(model)
      .map((r) => aliasEntity.fromRow(r));
    return Object.fromEntries(rows.map((r) => [r.alias, r.version]));
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
    const change = this.#db
      .transaction(() => {
        this.getVersion(model, v);
        const from = this.aliases(model)[alias] ?? null;
        if (from === v) return this.#noChange(model, alias, v);
        return this.#setAlias(model, alias, from, v, opts.action ?? 'promote', opts);
      })
      .immediate();
    return this.#afterChange(change, opts);
  }

  /**
   * Move `alias` back to the version it held before its current one. The history is the audit log replayed
   * as a stack (promote pushes, rollback pops, remove pushes "none"), so repeated rollbacks walk further back.
   */
  async rollback(model: string, alias: string, opts: AliasChangeOptions = {}): Promise<AliasChange> {
    checkAlias(alias);
    const change = this.#db
      .transaction(() => {
        this.#requireModel(model);
        const stack: (number | null)[] = [];
        for (const e of this.auditLog(model, alias)) {
          if (e.action === 'rollback') stack.pop();
          else stack.push(e.toVersion);
        }
        const current = this.aliases(model)[alias] ?? null;
        const target = stack.length >= 2 ? stack[stack.length - 2] : null;
        if (target === null || target === undefined) {
          throw new GnnopsError(
            ErrorCodes.CONFLICT,
            `cannot roll back ${model}@${alias}: no earlier version in its history (currently ${current ?? 'unset'})`,
            { model, alias, current },
          );
        }
        return this.#setAlias(model, alias, current, target, 'rollback', opts);
      })
      .immediate();
    return this.#afterChange(change, opts);
  }

  /** Remove an alias (a later rollback restores it). */
  async removeAlias(model: string, alias: string, opts: AliasChangeOptions = {}): Promise<AliasChange> {
    checkAlias(alias);
    const change = this.#db
      .transaction(() => {
        this.#requireModel(model);
        const from = this.aliases(model)[alias] ?? null;
        if (from === null) return this.#noChange(model, alias, null);
        return this.#setAlias(model, alias, from, null, 'remove', opts);
      })
      .immediate();
    return this.#afterChange(change, opts);
  }

  /** The alias audit log of a model (optionally one alias), oldest first. */
  auditLog(model: string, alias?: string): AuditEntry[] {
    const rows =
      alias === undefined
        ? this.#db.prepare<[string], unknown>('SELECT * FROM alias_audit WHERE model = ? ORDER BY id').all(model)
        : this.#db
            .prepare<[string, string], unknown>('SELECT * FROM alias_audit WHERE model = ? AND alias = ? ORDER BY id')
            .all(model, alias);
    return rows.map((r) => auditEntity.fromRow(r));
  }

  // ---- events ---------------------------------------------------------------------------------------------

  /** Persisted events with `id > afterId`, oldest first: what a server in another process polls. */
  eventsSince(afterId = 0, limit = 100): RegistryEvent[] {
    return this.#db
      .prepare<[number, number], unknown>('SELECT * FROM registry_events WHERE id > ? ORDER BY id LIMIT ?')
      .all(afterId, limit)
      .map((r) => eventEntity.fromRow(r));
  }

  /** Id of the newest event (0 when none). */
  lastEventId(): number {
    return this.#db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM registry_events').get()?.id ?? 0;
  }

  // ---- internals ------------------------------------------------------------------------------------------

  #blob(src: BlobSource, runId: string | null, field: string): { digest: string; size: number } {
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
    const art = runArtifacts(this.#db, cas, runId).find((a) => a.name === src.runArtifact);
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

  #requireModel(model: string): void {
    checkModelName(model);
    const row = this.#db.prepare('SELECT 1 FROM registered_models WHERE name = ?').get(model);
    if (!row) throw new GnnopsError(ErrorCodes.NOT_FOUND, `no registered model "${model}"`, { model });
  }

  #decodeVersion(row: unknown): ModelVersion {
    const v = versionEntity.fromRow(row);
    const aliases = this.#db
      .prepare<[string, number], { alias: string }>(
        'SELECT alias FROM model_aliases WHERE model = ? AND version = ? ORDER BY alias',
      )
      .all(v.model, v.version)
      .map((a) => a.alias);
    return { ...v, checkpointPath: this.store.cas.pathOf(v.checkpointDigest), aliases };
  }

  #insertEvent(
    type: RegistryEventType,
    model: string,
    version: number | null,
    alias: string | null,
    from: number | null,
    at: number,
    payload: Record<string, unknown>,
  ): RegistryEvent {
    const event = { type, model, version, alias, fromVersion: from, at, payload };
    const info = insertRow(this.#db, eventEntity.table, eventEntity.cells(event));
    return { id: Number(info.lastInsertRowid), ...event };
  }

  /** Inside a transaction: move the alias, append the audit row and the event. */
  #setAlias(
    model: string,
    alias: string,
    from: number | null,
    to: number | null,
    action: AliasAction,
    opts: AliasChangeOptions,
  ): AliasChange {
    const db = this.#db;
    const now = Date.now();
    const who = opts.by ?? currentUser();
    const reason = opts.reason ?? '';
    if (to === null) db.prepare('DELETE FROM model_aliases WHERE model = ? AND alias = ?').run(model, alias);
    else
      insertRow(db, aliasEntity.table, aliasEntity.toRow({ model, alias, version: to, updatedAt: now }), {
        onConflict: { update: ['model', 'alias'] },
      });
    const entry = { model, alias, action, fromVersion: from, toVersion: to, who, at: now, reason };
    const info = insertRow(db, auditEntity.table, auditEntity.cells(entry));
    const audit: AuditEntry = { id: Number(info.lastInsertRowid), ...entry };
    const event = this.#insertEvent('alias.changed', model, to, alias, from, now, { action, who, reason });
    return { changed: true, model, alias, fromVersion: from, toVersion: to, audit, event, hooks: [] };
  }

  #noChange(model: string, alias: string, v: number | null): AliasChange {
    return { changed: false, model, alias, fromVersion: v, toVersion: v, audit: null, event: null, hooks: [] };
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
