import type { Config } from '../config/schema.js';
import type { AliasChangeOptions, Registry } from './registry.js';
import type { AliasChange } from './types.js';

/** When a new version replaces the one holding `alias`. Defaults: val_acc_mean, higher is better, production. */
export interface AutoPromoteRule {
  enabled: boolean;
  metric: string;
  mode: 'max' | 'min';
  alias: string;
  /** The candidate must beat the incumbent by strictly more than this. */
  minDelta: number;
  /** Refuse to compare versions trained on different dataset content (their metrics are not comparable). */
  sameDataset: boolean;
}

export const defaultAutoPromoteRule: AutoPromoteRule = Object.freeze({
  enabled: true,
  metric: 'val_acc_mean',
  mode: 'max',
  alias: 'production',
  minDelta: 0,
  sameDataset: true,
});

export function autoPromoteRuleFromConfig(c: Config['registry']): AutoPromoteRule {
  return {
    enabled: c.auto_promote,
    metric: c.auto_promote_metric,
    mode: c.auto_promote_mode,
    alias: c.auto_promote_alias,
    minDelta: c.auto_promote_min_delta,
    sameDataset: c.auto_promote_same_dataset,
  };
}

export interface AutoPromoteDecision {
  promoted: boolean;
  /** Why, in one sentence (also the audit reason when promoted). */
  reason: string;
  candidate: { version: number; value: number | null };
  incumbent: { version: number; value: number | null } | null;
  change: AliasChange | null;
}

/**
 * Promote `version` to `rule.alias` when its `rule.metric` beats the incumbent's (or when the alias is unset).
 * Never promotes when disabled, when the candidate lacks the metric, or (with `sameDataset`) when the datasets
 * differ. An incumbent without the metric is kept: it cannot be compared, so a human decides.
 */
export async function maybeAutoPromote(
  registry: Registry,
  model: string,
  version: number,
  rule: Partial<AutoPromoteRule> = {},
  opts: AliasChangeOptions = {},
): Promise<AutoPromoteDecision> {
  const r = { ...defaultAutoPromoteRule, ...rule };
  const cand = await registry.getVersion(model, version);
  const cv = cand.metrics[r.metric];
  const candidate = { version, value: typeof cv === 'number' && Number.isFinite(cv) ? cv : null };
  const incVersion = (await registry.aliases(model))[r.alias];
  const inc = incVersion === undefined ? null : await registry.getVersion(model, incVersion);
  const iv = inc?.metrics[r.metric];
  const incumbent = inc
    ? { version: inc.version, value: typeof iv === 'number' && Number.isFinite(iv) ? iv : null }
    : null;
  const no = (reason: string): AutoPromoteDecision => ({ promoted: false, reason, candidate, incumbent, change: null });

  if (!r.enabled) return no('auto-promotion is disabled');
  if (candidate.value === null) return no(`version ${version} has no finite "${r.metric}"`);
  if (inc && incumbent) {
    if (inc.version === version) return no(`version ${version} already holds "${r.alias}"`);
    if (r.sameDataset && inc.datasetHash !== cand.datasetHash) {
      return no(
        `dataset differs from ${model}@${r.alias} (v${inc.version}: ${inc.datasetHash ?? 'none'} vs ${cand.datasetHash ?? 'none'})`,
      );
    }
    if (incumbent.value === null) return no(`incumbent v${inc.version} has no "${r.metric}" to compare against`);
    const gain = r.mode === 'max' ? candidate.value - incumbent.value : incumbent.value - candidate.value;
    if (!(gain > r.minDelta)) {
      return no(
        `${r.metric} ${candidate.value} does not beat v${inc.version}'s ${incumbent.value} (${r.mode}, min_delta ${r.minDelta})`,
      );
    }
  }
  const reason = incumbent
    ? `auto: ${r.metric} ${candidate.value} beats v${incumbent.version}'s ${incumbent.value} (${r.mode})`
    : `auto: first version with ${r.metric} = ${candidate.value}; "${r.alias}" was unset`;
  const change = await registry.promote(model, version, r.alias, { ...opts, reason, action: 'auto-promote' });
  return { promoted: change.changed, reason, candidate, incumbent, change };
}
