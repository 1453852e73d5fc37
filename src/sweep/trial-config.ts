import { mergeConfig, parseOverrides, resolveConfig } from '../config/load.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { ErrorCodes, GnnopsError, isGnnopsError } from '../util/errors.js';
import { DATASET_NODES, targetOf } from './aliases.js';
import { dimensionOf, type ParamSet } from './space.js';
import type { JsonValue, ParamSpec, SweepSpec } from './spec.js';

/** The fixed part of every trial's config: defaults ← preset ← file ← overrides; sweep parameters go on top. */
export interface BaseConfig {
  preset?: string;
  file?: string;
  overrides?: string[];
}

/** How one sweep parameter was applied: the config key it set and the value it set there (null key: none). */
export interface AppliedParam {
  param: string;
  key: string | null;
  value: JsonValue;
  configValue?: JsonValue;
}

type Tree = { [k: string]: unknown };

function setAt(tree: Tree, key: string, value: unknown): void {
  const parts = key.split('.');
  let cur = tree;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[parts[i]] = {};
    cur = cur[parts[i]] as Tree;
  }
  cur[parts[parts.length - 1]] = value;
}

export function getAt(tree: unknown, key: string): unknown {
  let cur = tree;
  for (const p of key.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Tree)[p];
  }
  return cur;
}

/**
 * Resolve a trial's config: the base config with every sampled parameter written at its config key (sweep
 * parameters win over base overrides). Afterwards each parameter's value is read back from the resolved config
 * and must equal what was written: a sweep must change what it claims to sweep.
 */
export function trialConfig(params: ParamSet, base: BaseConfig = {}): { config: Config; applied: AppliedParam[] } {
  let tree: Tree = base.overrides ? parseOverrides(base.overrides) : {};
  const sweepTree: Tree = {};
  const applied: AppliedParam[] = [];
  for (const [param, value] of Object.entries(params)) {
    const t = targetOf(param);
    if (t.kind === 'batch-size') {
      applied.push({ param, key: null, value });
      continue;
    }
    const configValue = t.alias?.transform ? t.alias.transform(value, param) : value;
    setAt(sweepTree, t.key, configValue);
    applied.push({ param, key: t.key, value, configValue });
  }
  tree = mergeConfig(tree, sweepTree);
  let config: Config;
  try {
    config = resolveConfig({ preset: base.preset, file: base.file, extra: tree as ConfigInput });
  } catch (e) {
    if (isGnnopsError(e)) {
      const given = applied.map((a) => `${a.param}=${JSON.stringify(a.value)}`).join(', ');
      throw new GnnopsError(e.code, `${e.message}\n  (sweep parameters: ${given})`, e.details);
    }
    throw e;
  }
  for (const a of applied) {
    if (a.key === null) continue;
    const got = getAt(config, a.key);
    if (JSON.stringify(got) !== JSON.stringify(a.configValue)) {
      throw new GnnopsError(
        ErrorCodes.INTERNAL,
        `sweep parameter ${a.param}=${JSON.stringify(a.value)} did not reach ${a.key} (resolved config has ${JSON.stringify(got)})`,
        { parameter: a.param, key: a.key },
      );
    }
  }
  return { config, applied };
}

/** Values at the edges of a parameter's range (and every categorical value), to validate before any trial runs. */
function probes(p: ParamSpec): JsonValue[] {
  const d = dimensionOf(p);
  if (p.distribution === 'constant') return [p.value];
  if (p.distribution === 'categorical') return p.values;
  if (d === null || d.kind !== 'numeric') return [];
  if (d.prior.type === 'normal') return [d.fromInternal(d.prior.mu)];
  const lo = d.fromInternal(d.lo + (p.distribution === 'int_uniform' ? 0.5 : 0));
  const hi = d.fromInternal(d.hi - (p.distribution === 'int_uniform' ? 0.5 : 0));
  return [lo, hi].map((v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v));
}

/**
 * Check a sweep against the config schema before running it: every parameter name must map to a config key, and
 * every categorical value and both ends of every range must give a valid config. Returns notes for things that
 * are accepted but do nothing (batch-size in full-batch training).
 */
export function checkSweep(spec: SweepSpec, base: BaseConfig = {}): string[] {
  const notes: string[] = [];
  const baseConfig = resolveConfig({ preset: base.preset, file: base.file, overrides: base.overrides });
  const constants: ParamSet = {};
  for (const p of spec.parameters) if (p.distribution === 'constant') constants[p.name] = p.value;
  for (const p of spec.parameters) {
    const t = targetOf(p.name);
    if (t.kind === 'batch-size') {
      const nodes = baseConfig.data.file === undefined ? DATASET_NODES[baseConfig.data.name] : undefined;
      const values = probes(p);
      if (nodes !== undefined && values.every((v) => v === nodes)) {
        notes.push(
          `parameters.${p.name}: ${nodes} equals the node count of ${baseConfig.data.name}; training is full-batch, so it changes nothing`,
        );
      } else {
        notes.push(
          `parameters.${p.name}: ignored — gnnops trains full-batch on every node${nodes !== undefined ? ` (${nodes} for ${baseConfig.data.name})` : ''}, so a batch size of ${values.map((v) => JSON.stringify(v)).join('/')} is not applied`,
        );
      }
      continue;
    }
    for (const v of probes(p)) {
      try {
        trialConfig({ ...constants, [p.name]: v }, base);
      } catch (e) {
        if (!isGnnopsError(e)) throw e;
        throw new GnnopsError(
          e.code,
          `sweep config: parameters.${p.name}: value ${JSON.stringify(v)} gives an invalid config for ${t.key}:\n  ${e.message}`,
          { parameter: p.name, value: v, key: t.key },
        );
      }
    }
  }
  return notes;
}
