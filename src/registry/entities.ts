/**
 * The registry's entities: how each record maps to its table's columns and to its JSON view. The SQL that reads
 * and writes them stays in registry.ts.
 */
import { codecs as c, defineEntity } from '../util/entity.js';
import type {
  AliasAction,
  AuditEntry,
  ModelVersion,
  RegisteredModel,
  RegistryEvent,
  RegistryEventType,
} from './types.js';

const ALIAS_ACTIONS: readonly AliasAction[] = ['promote', 'auto-promote', 'rollback', 'remove'];
const EVENT_TYPES: readonly RegistryEventType[] = ['version.registered', 'alias.changed'];

/** A registered model as stored; its latest version and aliases are read from the other tables. */
export type StoredModel = Pick<RegisteredModel, 'name' | 'description' | 'createdAt'>;

export const modelEntity = defineEntity<StoredModel>()({
  name: 'registered model',
  table: 'registered_models',
  columns: {
    name: { column: 'name', codec: c.text },
    description: { column: 'description', codec: c.nullable(c.text) },
    createdAt: { column: 'created_at', codec: c.int },
  },
});

/** A version as stored; the checkpoint's path comes from the artifact store and the aliases from model_aliases. */
export type StoredVersion = Omit<ModelVersion, 'checkpointPath' | 'aliases'>;

/** The JSON view leaves out the full config (the API shows its `model` section) and names the profile by role. */
export const versionEntity = defineEntity<StoredVersion>()({
  name: 'model version',
  table: 'model_versions',
  columns: {
    model: { column: 'model', codec: c.text },
    version: { column: 'version', codec: c.int },
    runId: { column: 'run_id', codec: c.nullable(c.text) },
    checkpointDigest: { column: 'checkpoint_digest', codec: c.text },
    checkpointSize: { column: 'checkpoint_size', codec: c.int },
    datasetName: { column: 'dataset_name', codec: c.nullable(c.text), json: 'dataset' },
    datasetHash: { column: 'dataset_hash', codec: c.nullable(c.text) },
    config: { column: 'config_json', codec: c.json<unknown>('a config'), json: false },
    metrics: { column: 'metrics_json', codec: c.metricMap, json: 'metrics' },
    gitSha: { column: 'git_sha', codec: c.nullable(c.text) },
    gitDirty: { column: 'git_dirty', codec: c.nullable(c.bool) },
    referenceProfileDigest: {
      column: 'reference_profile_digest',
      codec: c.nullable(c.text),
      json: 'reference_profile',
    },
    description: { column: 'description', codec: c.nullable(c.text) },
    tags: { column: 'tags_json', codec: c.jsonObject<Record<string, string>>('an object of strings'), json: 'tags' },
    createdAt: { column: 'created_at', codec: c.int },
    createdBy: { column: 'created_by', codec: c.text },
  },
});

export interface AliasRecord {
  model: string;
  alias: string;
  version: number;
  updatedAt: number;
}

export const aliasEntity = defineEntity<AliasRecord>()({
  name: 'alias',
  table: 'model_aliases',
  columns: {
    model: { column: 'model', codec: c.text },
    alias: { column: 'alias', codec: c.text },
    version: { column: 'version', codec: c.int },
    updatedAt: { column: 'updated_at', codec: c.int },
  },
});

export const auditEntity = defineEntity<AuditEntry>()({
  name: 'alias audit entry',
  table: 'alias_audit',
  columns: {
    id: { column: 'id', codec: c.int },
    model: { column: 'model', codec: c.text },
    alias: { column: 'alias', codec: c.text },
    action: { column: 'action', codec: c.oneOf(ALIAS_ACTIONS) },
    fromVersion: { column: 'from_version', codec: c.nullable(c.int) },
    toVersion: { column: 'to_version', codec: c.nullable(c.int) },
    who: { column: 'who', codec: c.text },
    at: { column: 'at', codec: c.int },
    reason: { column: 'reason', codec: c.text },
  },
});

export const eventEntity = defineEntity<RegistryEvent>()({
  name: 'registry event',
  table: 'registry_events',
  columns: {
    id: { column: 'id', codec: c.int },
    type: { column: 'type', codec: c.oneOf(EVENT_TYPES) },
    model: { column: 'model', codec: c.text },
    version: { column: 'version', codec: c.nullable(c.int) },
    alias: { column: 'alias', codec: c.nullable(c.text) },
    fromVersion: { column: 'from_version', codec: c.nullable(c.int) },
    at: { column: 'at', codec: c.int },
    payload: { column: 'payload_json', codec: c.jsonObject<Record<string, unknown>>(), json: 'payload' },
  },
});
