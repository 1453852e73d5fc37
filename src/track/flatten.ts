import type { ParamValue } from './types.js';

/**
 * Flatten a nested config into dotted param keys: `{model: {hidden: 64}}` → `{'model.hidden': 64}`.
 * Arrays and other non-scalar leaves become JSON strings; undefined leaves are dropped.
 */
export function flattenConfig(value: unknown, prefix = ''): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    if (prefix && value !== undefined) out[prefix] = toParam(value);
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) Object.assign(out, flattenConfig(v, key));
    else if (v !== undefined) out[key] = toParam(v);
  }
  return out;
}

function toParam(v: unknown): ParamValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}
