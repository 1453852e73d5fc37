import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeIssue } from '../config/zod-issues.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';

/**
 * The W&B sweep configuration format, parsed and validated (zod), normalised into `SweepSpec`.
 *
 * Semantics follow W&B's "Sweep configuration options" reference (docs.wandb.ai/guides/sweeps/sweep-config-keys)
 * and the JSON schema of its open-source engine (github.com/wandb/sweeps, src/sweeps/config/schema.json):
 * - `constant`: `value`. `categorical`: `values` (+ optional `probabilities`, which must sum to 1).
 * - `int_uniform`: integers uniform on [min, max]. `uniform`: reals uniform on [min, max].
 * - `q_uniform`: round(X / q) · q with X uniform; `q` defaults to 1 (an integer q gives integers).
 * - `log_uniform`: X in [exp(min), exp(max)] with ln X uniform on [min, max] — the bounds are NATURAL LOGS.
 * - `log_uniform_values`: X in [min, max] with ln X uniform on [ln min, ln max]; min > 0.
 * - `q_log_uniform`, `q_log_uniform_values`: round(X / q) · q of the above.
 * - `inv_log_uniform`: X with ln(1/X) uniform on [min, max]; `inv_log_uniform_values`: ln(1/X) uniform on
 *   [ln(1/max), ln(1/min)].
 * - `normal`: N(mu, sigma) (defaults 0, 1); `q_normal`: round(X / q) · q; `log_normal`: ln X ~ N(mu, sigma);
 *   `q_log_normal`: round(X / q) · q of it.
 * - No `distribution`: `value` → constant, `values` → categorical, integer min/max → int_uniform, otherwise uniform.
 * - Nested `parameters:` blocks are flattened to dotted names (`model: {parameters: {hidden: …}}` → `model.hidden`).
 * - `early_terminate: {type: hyperband, min_iter | max_iter + s, eta (default 3)}`.
 * - `program` and `command` launch a script in W&B; here trials call the trainer in-process, so they are accepted
 *   and ignored with a note. `name`, `description`, `entity`, `project` are accepted (`name` names the sweep).
 */

export const Distributions = [
  'constant',
  'categorical',
  'int_uniform',
  'uniform',
  'q_uniform',
  'log_uniform',
  'log_uniform_values',
  'q_log_uniform',
  'q_log_uniform_values',
  'inv_log_uniform',
  'inv_log_uniform_values',
  'normal',
  'q_normal',
  'log_normal',
  'q_log_normal',
] as const;
export type Distribution = (typeof Distributions)[number];

export const RangeDistributions = [
  'int_uniform',
  'uniform',
  'q_uniform',
  'log_uniform',
  'log_uniform_values',
  'q_log_uniform',
  'q_log_uniform_values',
  'inv_log_uniform',
  'inv_log_uniform_values',
] as const;
export type RangeDistribution = (typeof RangeDistributions)[number];
export const NormalDistributions = ['normal', 'q_normal', 'log_normal', 'q_log_normal'] as const;
export type NormalDistribution = (typeof NormalDistributions)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export type ParamSpec =
  | { name: string; distribution: 'constant'; value: JsonValue }
  | { name: string; distribution: 'categorical'; values: JsonValue[]; probabilities?: number[] }
  /** `q` is 1 unless given; it only matters for the q_ distributions. */
  | { name: string; distribution: RangeDistribution; min: number; max: number; q: number }
  | { name: string; distribution: NormalDistribution; mu: number; sigma: number; q: number };

export interface HyperbandSpec {
  type: 'hyperband';
  min_iter?: number;
  max_iter?: number;
  s?: number;
  eta: number;
}

export interface SweepSpec {
  name?: string;
  description?: string;
  method: 'grid' | 'random' | 'bayes';
  metric?: { name: string; goal: 'maximize' | 'minimize'; target?: number };
  /** In file order (nested blocks flattened). */
  parameters: ParamSpec[];
  run_cap?: number;
  early_terminate?: HyperbandSpec;
  /** Things accepted but not acted on, said out loud (logged and stored with the sweep). */
  notes: string[];
}

const json: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]),
);

const rawParam = z.strictObject({
  distribution: z.enum(Distributions).optional(),
  value: json.optional(),
  values: z.array(json).min(1).optional(),
  probabilities: z.array(z.number().min(0)).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  q: z.number().positive().optional(),
  mu: z.number().optional(),
  sigma: z.number().min(0).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});
type RawParam = z.infer<typeof rawParam>;

const rawSpec = z.strictObject({
  method: z.enum(['grid', 'random', 'bayes']),
  metric: z
    .strictObject({
      name: z.string().min(1),
      goal: z.enum(['maximize', 'minimize']).default('minimize'),
      target: z.number().optional(),
    })
    .optional(),
  parameters: z.record(z.string(), z.unknown()),
  run_cap: z.number().int().positive().optional(),
  early_terminate: z
    .strictObject({
      type: z.literal('hyperband'),
      min_iter: z.number().int().min(1).optional(),
      max_iter: z.number().int().min(1).optional(),
      s: z.number().int().min(1).optional(),
      eta: z.number().gt(1).default(3),
      strict: z.boolean().optional(),
    })
    .optional(),
  program: z.string().optional(),
  command: z.array(z.string()).optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  entity: z.string().optional(),
  project: z.string().optional(),
});

function invalid(message: string, details?: Record<string, unknown>): GnnopsError {
  return new GnnopsError(ErrorCodes.CONFIG_INVALID, `sweep config: ${message}`, details);
}

function zodFail(error: z.ZodError, input: unknown, prefix: readonly string[] = []): GnnopsError {
  const lines = error.issues.map((i) => describeIssue(i, input, prefix));
  return invalid(lines.join('; '), { issues: lines });
}

const allowedKeys: Record<Distribution, readonly string[]> = {
  constant: ['value'],
  categorical: ['values', 'probabilities'],
  int_uniform: ['min', 'max'],
  uniform: ['min', 'max'],
  q_uniform: ['min', 'max', 'q'],
  log_uniform: ['min', 'max'],
  log_uniform_values: ['min', 'max'],
  q_log_uniform: ['min', 'max', 'q'],
  q_log_uniform_values: ['min', 'max', 'q'],
  inv_log_uniform: ['min', 'max'],
  inv_log_uniform_values: ['min', 'max'],
  normal: ['mu', 'sigma'],
  q_normal: ['mu', 'sigma', 'q'],
  log_normal: ['mu', 'sigma'],
  q_log_normal: ['mu', 'sigma', 'q'],
};

/** Infer W&B's default distribution. `intBounds` says whether min and max were written as integers. */
function inferDistribution(name: string, p: RawParam, intBounds: boolean): Distribution {
  if (p.value !== undefined) return 'constant';
  if (p.values !== undefined) return 'categorical';
  if (p.min !== undefined && p.max !== undefined) return intBounds ? 'int_uniform' : 'uniform';
  throw invalid(
    `parameters.${name}: give "value", "values", "min" and "max", or a "distribution" (one of ${Distributions.join(', ')})`,
    { parameter: name },
  );
}

function normaliseParam(name: string, p: RawParam, intBounds: boolean, notes: string[]): ParamSpec {
  const key = `parameters.${name}`;
  if (p.value !== undefined && p.values !== undefined) {
    throw invalid(`${key}: give either "value" or "values", not both`, { parameter: name });
  }
  const dist = p.distribution ?? inferDistribution(name, p, intBounds);
  const present = (['value', 'values', 'probabilities', 'min', 'max', 'q', 'mu', 'sigma'] as const).filter(
    (k) => p[k] !== undefined,
  );
  const extra = present.filter((k) => !allowedKeys[dist].includes(k));
  if (extra.length > 0) {
    throw invalid(
      `${key}: "${extra.join('", "')}" does not apply to distribution ${dist} (it takes ${allowedKeys[dist].join(', ')})`,
      { parameter: name, keys: extra },
    );
  }
  switch (dist) {
    case 'constant':
      if (p.value === undefined) throw invalid(`${key}: distribution constant needs "value"`, { parameter: name });
      return { name, distribution: 'constant', value: p.value };
    case 'categorical': {
      if (p.values === undefined) throw invalid(`${key}: distribution categorical needs "values"`, { parameter: name });
      if (p.probabilities !== undefined) {
        if (p.probabilities.length !== p.values.length) {
          throw invalid(
            `${key}.probabilities: ${p.probabilities.length} probabilities for ${p.values.length} values; give one per value`,
            { parameter: name },
          );
        }
        const sum = p.probabilities.reduce((a, b) => a + b, 0);
        if (Math.abs(sum - 1) > 1e-6) {
          throw invalid(`${key}.probabilities: they sum to ${sum}; they must sum to 1`, { parameter: name, sum });
        }
        return { name, distribution: 'categorical', values: p.values, probabilities: p.probabilities };
      }
      return { name, distribution: 'categorical', values: p.values };
    }
    case 'normal':
    case 'q_normal':
    case 'log_normal':
    case 'q_log_normal':
      return { name, distribution: dist, mu: p.mu ?? 0, sigma: p.sigma ?? 1, q: p.q ?? 1 };
    default: {
      if (p.min === undefined || p.max === undefined) {
        throw invalid(`${key}: distribution ${dist} needs both "min" and "max"`, { parameter: name });
      }
      if (p.min > p.max) {
        throw invalid(`${key}: min ${p.min} is greater than max ${p.max}`, { parameter: name, min: p.min, max: p.max });
      }
      if (dist === 'int_uniform' && (!Number.isInteger(p.min) || !Number.isInteger(p.max))) {
        throw invalid(`${key}: int_uniform needs integer min and max, got ${p.min} and ${p.max}`, { parameter: name });
      }
      if (dist.endsWith('_values') && p.min <= 0) {
        throw invalid(`${key}.min: ${dist} needs min > 0 (it is a value, not a log), got ${p.min}`, {
          parameter: name,
        });
      }
      if ((dist === 'log_uniform' || dist === 'q_log_uniform') && p.min > 0 && p.max <= 1) {
        notes.push(
          `${key}: ${dist} takes natural-log bounds, so it samples exp(${p.min})..exp(${p.max}) = ` +
            `${Math.exp(p.min).toPrecision(4)}..${Math.exp(p.max).toPrecision(4)}; for value bounds use ${dist}_values`,
        );
      }
      return { name, distribution: dist, min: p.min, max: p.max, q: p.q ?? 1 };
    }
  }
}

/** Flatten nested `parameters:` blocks into dotted names, validating each leaf. */
function collectParams(
  tree: Record<string, unknown>,
  prefix: string,
  intBounds: (path: string) => boolean,
  notes: string[],
  out: ParamSpec[],
): void {
  for (const [k, raw] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${k}` : k;
    const parsed = rawParam.safeParse(raw);
    if (!parsed.success) throw zodFail(parsed.error, { parameters: { [name]: raw } }, ['parameters', name]);
    const p = parsed.data;
    if (p.parameters !== undefined) {
      const others = Object.keys(p).filter((x) => x !== 'parameters');
      if (others.length > 0) {
        throw invalid(`parameters.${name}: a nested "parameters" block cannot also have ${others.join(', ')}`, {
          parameter: name,
        });
      }
      collectParams(p.parameters, name, intBounds, notes, out);
      continue;
    }
    out.push(normaliseParam(name, p, intBounds(name), notes));
  }
}

/**
 * Validate a parsed sweep document. `intBounds(name)` reports whether a parameter's min/max were written as
 * integers (YAML `1` vs `1.0`); without it, JS numbers decide (`Number.isInteger`).
 */
export function parseSweepSpec(input: unknown, intBounds?: (name: string) => boolean): SweepSpec {
  const parsed = rawSpec.safeParse(input);
  if (!parsed.success) throw zodFail(parsed.error, input);
  const raw = parsed.data;
  const notes: string[] = [];
  if (raw.program !== undefined) {
    notes.push(`program "${raw.program}" ignored: gnnops runs each trial through its own trainer`);
  }
  if (raw.command !== undefined) notes.push('command ignored: gnnops runs each trial through its own trainer');
  const params: ParamSpec[] = [];
  const isInt =
    intBounds ??
    ((name: string) => {
      let node: unknown = raw.parameters;
      for (const part of name.split('.')) {
        const rec = node as Record<string, unknown> | undefined;
        node = rec?.[part] ?? (rec?.parameters as Record<string, unknown> | undefined)?.[part];
      }
      const n = node as { min?: unknown; max?: unknown } | undefined;
      return Number.isInteger(n?.min) && Number.isInteger(n?.max);
    });
  collectParams(raw.parameters, '', isInt, notes, params);
  if (params.length === 0) throw invalid('parameters: give at least one parameter');
  if ((raw.method === 'random' || raw.method === 'bayes') && raw.run_cap === undefined) {
    throw invalid(`run_cap: method ${raw.method} never ends on its own; set run_cap (the number of trials)`);
  }
  if (raw.method === 'bayes' && raw.metric === undefined) {
    throw invalid('metric: method bayes needs a metric {name, goal} to optimise');
  }
  let early: HyperbandSpec | undefined;
  if (raw.early_terminate) {
    const et = raw.early_terminate;
    if (raw.metric === undefined) throw invalid('metric: early_terminate (hyperband) needs a metric {name, goal}');
    if (et.min_iter === undefined && et.max_iter === undefined) {
      throw invalid('early_terminate: hyperband needs either min_iter, or max_iter with s');
    }
    if (et.min_iter !== undefined && et.max_iter !== undefined) {
      throw invalid('early_terminate: give min_iter or max_iter (with s), not both');
    }
    if (et.max_iter !== undefined && et.s === undefined) {
      throw invalid('early_terminate.s: max_iter needs s, the number of brackets');
    }
    if (et.strict !== undefined) notes.push('early_terminate.strict ignored: brackets use the baseline rule');
    early = { type: 'hyperband', min_iter: et.min_iter, max_iter: et.max_iter, s: et.s, eta: et.eta };
  }
  const names = new Set<string>();
  for (const p of params) {
    if (names.has(p.name)) throw invalid(`parameters.${p.name}: given twice`, { parameter: p.name });
    names.add(p.name);
  }
  return {
    name: raw.name,
    description: raw.description,
    method: raw.method,
    metric: raw.metric,
    parameters: params,
    run_cap: raw.run_cap,
    early_terminate: early,
    notes,
  };
}

type Tree = { [k: string]: unknown };

/** Record which parameters wrote integer min/max (YAML ints parse as bigint), then turn bigints into numbers. */
function unBigInt(v: unknown, path: string, ints: Set<string>): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map((x) => unBigInt(x, path, ints));
  if (typeof v === 'object' && v !== null) {
    const out: Tree = {};
    const rec = v as Tree;
    if (typeof rec.min === 'bigint' && typeof rec.max === 'bigint') ints.add(path);
    for (const [k, x] of Object.entries(rec)) out[k] = unBigInt(x, path, ints);
    return out;
  }
  return v;
}

/** Parse sweep YAML text. Integer-vs-float bounds are read from the YAML source, as W&B does (`1` vs `1.0`). */
export function parseSweepYaml(text: string, source = 'sweep config'): SweepSpec {
  let doc: unknown;
  try {
    doc = parseYaml(text, { intAsBigInt: true });
  } catch (e) {
    throw invalid(`${source} is not valid YAML: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw invalid(`${source} must hold a mapping at the top level`);
  }
  const ints = new Set<string>();
  const top = doc as Tree;
  const params = top.parameters;
  const walkParams = (tree: unknown, prefix: string): unknown => {
    if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) return unBigInt(tree, prefix, ints);
    const out: Tree = {};
    for (const [k, v] of Object.entries(tree as Tree)) {
      const name = prefix ? `${prefix}.${k}` : k;
      const rec = v as Tree | null;
      if (rec && typeof rec === 'object' && !Array.isArray(rec) && rec.parameters !== undefined) {
        const { parameters: nested, ...rest } = rec;
        out[k] = { ...(unBigInt(rest, name, ints) as Tree), parameters: walkParams(nested, name) };
      } else {
        out[k] = unBigInt(v, name, ints);
      }
    }
    return out;
  };
  const plain: Tree = {};
  for (const [k, v] of Object.entries(top))
    plain[k] = k === 'parameters' ? walkParams(params, '') : unBigInt(v, k, ints);
  return parseSweepSpec(plain, (name) => ints.has(name));
}

export function loadSweepSpec(file: string): SweepSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new GnnopsError(ErrorCodes.NOT_FOUND, `sweep config file not found: ${file}`, { file });
  }
  return parseSweepYaml(text, file);
}
