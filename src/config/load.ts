import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { presets } from './presets.js';
import { type Config, type ConfigInput, configSchema } from './schema.js';
import { describeIssue } from './zod-issues.js';

type Tree = { [key: string]: unknown };

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, everything else replaces. */
export function mergeConfig(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isTree(v) && isTree(out[k]) ? mergeConfig(out[k] as Tree, v) : v;
  }
  return out;
}

/** Parse Hydra-style `a.b=value` overrides. Values are YAML scalars: `0.01`, `true`, `gcn`, `[1,2]`. */
export function parseOverrides(args: readonly string[]): Tree {
  let tree: Tree = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      throw new GnnopsError(
        ErrorCodes.CONFIG_INVALID,
        `override "${arg}" is not of the form key=value (for example model.hidden=64)`,
        { override: arg },
      );
    }
    const key = arg.slice(0, eq).trim();
    const raw = arg.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = raw === '' ? '' : parseYaml(raw);
    } catch {
      value = raw;
    }
    const parts = key.split('.');
    const leaf: Tree = {};
    let cur = leaf;
    for (let i = 0; i < parts.length - 1; i++) {
      const next: Tree = {};
      cur[parts[i]] = next;
      cur = next;
    }
    cur[parts[parts.length - 1]] = value;
    tree = mergeConfig(tree, leaf);
  }
  return tree;
}

/** Every key the schema knows, dotted, for "did you mean" hints. */
export function knownKeys(): string[] {
  const keys: string[] = [];
  for (const [section, schema] of Object.entries(configSchema.shape)) {
    const inner = (schema as unknown as { unwrap(): z.ZodObject }).unwrap();
    for (const k of Object.keys(inner.shape)) keys.push(`${section}.${k}`);
  }
  return keys;
}

/** Turn zod issues into one message naming each key, the value given, and what is allowed. */
export function formatConfigIssues(error: z.ZodError, input: unknown): GnnopsError {
  const lines: string[] = [];
  let unknown = false;
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      unknown = true;
      const prefix = issue.path.map(String).join('.');
      const allowed = prefix ? knownKeys().filter((k) => k.startsWith(`${prefix}.`)) : Object.keys(configSchema.shape);
      for (const k of issue.keys) {
        const full = prefix ? `${prefix}.${k}` : k;
        lines.push(`unknown key "${full}"; allowed: ${allowed.join(', ')}`);
      }
      continue;
    }
    lines.push(describeIssue(issue, input));
  }
  return new GnnopsError(
    unknown ? ErrorCodes.CONFIG_UNKNOWN_KEY : ErrorCodes.CONFIG_INVALID,
    `invalid config:\n  ${lines.join('\n  ')}`,
    { issues: lines },
  );
}

export interface ResolveOptions {
  /** A YAML config file. */
  file?: string;
  /** A named preset from presets.ts, applied before the file and the overrides. */
  preset?: string;
  /** key=value overrides, applied last. */
  overrides?: readonly string[];
  /** Extra values from CLI flags, applied after the file and before the overrides. */
  extra?: ConfigInput;
}

/** Resolve the config: defaults ← preset ← file ← flags ← overrides, validated by the one schema. */
export function resolveConfig(opts: ResolveOptions = {}): Config {
  let tree: Tree = {};
  if (opts.preset !== undefined) {
    const preset = presets[opts.preset];
    if (!preset) {
      throw new GnnopsError(
        ErrorCodes.CONFIG_INVALID,
        `unknown preset "${opts.preset}"; available: ${Object.keys(presets).join(', ')}`,
        { preset: opts.preset },
      );
    }
    tree = mergeConfig(tree, preset.config as Tree);
  }
  if (opts.file !== undefined) {
    if (!existsSync(opts.file)) {
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `config file not found: ${opts.file}`, { file: opts.file });
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(opts.file, 'utf8'));
    } catch (e) {
      throw new GnnopsError(
        ErrorCodes.CONFIG_INVALID,
        `config file ${opts.file} is not valid YAML: ${(e as Error).message}`,
      );
    }
    if (parsed !== null && parsed !== undefined && !isTree(parsed)) {
      throw new GnnopsError(ErrorCodes.CONFIG_INVALID, `config file ${opts.file} must hold a mapping at the top level`);
    }
    tree = mergeConfig(tree, (parsed ?? {}) as Tree);
  }
  if (opts.extra) tree = mergeConfig(tree, opts.extra as Tree);
  if (opts.overrides) tree = mergeConfig(tree, parseOverrides(opts.overrides));
  const result = configSchema.safeParse(tree);
  if (!result.success) throw formatConfigIssues(result.error, tree);
  return result.data;
}

/** The JSON Schema of the config: the source for docs and `config show --schema`. */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input' });
}
