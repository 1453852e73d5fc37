/**
 * The one wording of a zod issue for people: the dotted key, the value that was given and what is allowed, so a
 * config file, an override and a sweep file all fail with the same kind of line.
 */
import type { z } from 'zod';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** The value at `path` inside `tree` (undefined where the path leaves the tree). */
export function valueAt(tree: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = tree;
  for (const p of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[String(p)];
  }
  return cur;
}

/** What the schema allows where the issue is: `one of …`, `a number`, `>= 1`, or zod's own message. */
export function describeAllowed(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return `a ${issue.expected}`;
    case 'too_small':
      return `${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}`;
    case 'too_big':
      return `${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

/**
 * One line for one issue against `input`, its path prefixed by `prefix` (where `input` is the whole file and the
 * schema checked a part of it): `key: got V, expected …`, or `key: unknown key(s) "a", "b"`.
 */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown, prefix: readonly PropertyKey[] = []): string {
  const path = [...prefix, ...issue.path];
  const key = path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return `${key ? `${key}: ` : ''}unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  const value = valueAt(input, path);
  return `${key}: got ${value === undefined ? 'nothing' : JSON.stringify(value)}, expected ${describeAllowed(issue)}`;
}
