import { type VersionFacts, versionFacts, withFacts } from '../../monitor/estimate.js';
import type { DriftCheck } from '../drift-loop.js';
import type { DriftWorker } from './drift-worker.js';
import type { DashboardSources } from './sources.js';

/**
 * What the registry knows of a model version seen in the request log (its fitted temperature and test accuracy):
 * the served model's own metrics when it is the one, else the registry's; undefined for a version the registry
 * does not hold (a bare checkpoint no longer served).
 */
export function servedVersionFacts(
  sources: DashboardSources,
): (model: string, version: string) => Promise<VersionFacts | undefined> {
  return async (model, version) => {
    const m = sources.ctx.holder.current?.model;
    if (m && m.name === model && m.version === version)
      return m.info.metrics ? versionFacts(m.info.metrics) : undefined;
    try {
      return versionFacts((await (await sources.registry()).getVersion(model, version)).metrics);
    } catch {
      return undefined;
    }
  };
}

/**
 * The server's background drift check over the last `window` logged requests (of every replica, or of one): the
 * drift snapshot against the dashboard's reference profile, with each version's accuracy estimate joined to its
 * registry facts.
 */
export function servedDriftCheck(sources: DashboardSources, worker: DriftWorker, window: number): DriftCheck {
  const facts = servedVersionFacts(sources);
  return async (opts = {}) => {
    const { profile } = await sources.profile();
    const snap = await worker.snapshot(profile, { window, replica: opts.replica });
    const estimates = await Promise.all(snap.estimates.map(async (e) => withFacts(e, await facts(e.model, e.version))));
    return { ...snap, estimates };
  };
}
