/** Public API of the model registry. */
export {
  type AutoPromoteDecision,
  type AutoPromoteRule,
  autoPromoteRuleFromConfig,
  defaultAutoPromoteRule,
  maybeAutoPromote,
} from './auto-promote.js';
export { registeredTemperature } from './calibration.js';
export { hooksFromConfig, type PromotionHooks, runPromotionHooks } from './hooks.js';
export { checkAlias, checkModelName, type ModelRef, parseModelRef } from './refs.js';
export {
  type AliasChangeOptions,
  type BlobSource,
  currentUser,
  REGISTRY_CHANNEL,
  type RegisterVersionInput,
  Registry,
  type RegistryEventMap,
  type RegistryNotice,
  type RegistryOptions,
  registryEvents,
} from './registry.js';
export type {
  AliasAction,
  AliasChange,
  AuditEntry,
  HookOutcome,
  ModelVersion,
  RegisteredModel,
  RegistryEvent,
  RegistryEventType,
} from './types.js';
export { type RegistryWatcher, type WatchOptions, watchRegistry } from './watch.js';
