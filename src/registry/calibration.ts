import type { ModelVersion } from './types.js';

/**
 * The softmax temperature registered with a version (its `temperature` metric, fitted on the validation mask when
 * the version was registered), or null for a version registered without one (served uncalibrated, T = 1).
 */
export function registeredTemperature(v: Pick<ModelVersion, 'metrics'>): number | null {
  const t = v.metrics.temperature;
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : null;
}
