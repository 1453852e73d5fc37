import { ErrorCodes, GnnopsError } from '../util/errors.js';

/** `name@alias`, `name/3`, `name/latest` or `name` (= latest), optionally prefixed by `models:/` as in MLflow. */
export type ModelRef =
  | { model: string; kind: 'alias'; alias: string }
  | { model: string; kind: 'version'; version: number }
  | { model: string; kind: 'latest' };

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const ALIAS = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export function checkModelName(name: string): void {
  if (!MODEL_NAME.test(name)) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `model name ${JSON.stringify(name)} must be 1-128 characters of letters, digits, _ . - starting with a letter or digit`,
      { model: name },
    );
  }
}

/** Aliases follow MLflow: not `latest`, not `v<digits>` (those read as version references). */
export function checkAlias(alias: string): void {
  if (!ALIAS.test(alias) || alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias)) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `alias ${JSON.stringify(alias)} must be 1-64 characters of letters, digits, _ -, start with a letter or _, and not be "latest" or "v<number>"`,
      { alias },
    );
  }
}

export function parseVersion(v: string | number): number {
  const n = typeof v === 'number' ? v : /^\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `version ${JSON.stringify(v)} must be an integer ≥ 1`, {
      version: v,
    });
  }
  return n;
}

export function parseModelRef(ref: string): ModelRef {
  const s = ref.startsWith('models:/') ? ref.slice('models:/'.length) : ref;
  const at = s.indexOf('@');
  if (at >= 0) {
    const model = s.slice(0, at);
    const alias = s.slice(at + 1);
    checkModelName(model);
    checkAlias(alias);
    return { model, kind: 'alias', alias };
  }
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const model = s.slice(0, slash);
    const v = s.slice(slash + 1);
    checkModelName(model);
    if (v === 'latest') return { model, kind: 'latest' };
    return { model, kind: 'version', version: parseVersion(v) };
  }
  checkModelName(s);
  return { model: s, kind: 'latest' };
}
