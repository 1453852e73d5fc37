import type { ModelVersion } from './types.js';

/**
 * The softmax temperature registered with a version (its `temperature` metric, fitted on the validation mask when
 * the version was registered). A version registered without one is served uncalibrated: T = 1.
 */
export function versionTemperature(v: Pick<ModelVersion, 'metrics'>): number {
  const t = v.metrics.temperature;
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : 1;
}
