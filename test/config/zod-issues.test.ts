import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { formatConfigIssues } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { describeIssue } from '../../src/config/zod-issues.js';

describe('zod issue wording', () => {
  const schema = z.strictObject({ lr: z.number().min(0), kind: z.enum(['a', 'b']), n: z.number() });

  it('names the key, the value given and what is allowed, for each kind of issue', () => {
    const input = { lr: -1, kind: 'c', extra: 1 };
    const r = schema.safeParse(input);
    assert.equal(r.success, false);
    const lines = r.error?.issues.map((i) => describeIssue(i, input)) ?? [];
    assert.ok(lines.includes('lr: got -1, expected >= 0'), lines.join('\n'));
    assert.ok(lines.includes('kind: got "c", expected one of "a", "b"'), lines.join('\n'));
    assert.ok(lines.includes('n: got nothing, expected a number'), lines.join('\n'));
    assert.ok(lines.includes('unknown key(s) "extra"'), lines.join('\n'));
  });

  it('words a custom check with its own message as what is expected', () => {
    const named = z.object({ name: z.string().regex(/^[a-z]+$/, 'a lower-case name') });
    const input = { name: 'My Graph' };
    const r = named.safeParse(input);
    assert.equal(
      describeIssue(r.error?.issues[0] as z.core.$ZodIssue, input),
      'name: got "My Graph", expected a lower-case name',
    );
  });

  it('prefixes the path and reads the value from the whole input when the schema checked a part', () => {
    const whole = { parameters: { lr: { min: 'x' } } };
    const r = z.object({ min: z.number() }).safeParse(whole.parameters.lr);
    const line = describeIssue(r.error?.issues[0] as z.core.$ZodIssue, whole, ['parameters', 'lr']);
    assert.equal(line, 'parameters.lr.min: got "x", expected a number');
  });

  it('the config loader words its issues the same way', () => {
    const input = { train: { lr: 'fast' } };
    const r = configSchema.safeParse(input);
    assert.equal(r.success, false);
    const e = formatConfigIssues(r.error as z.ZodError, input);
    assert.equal(e.code, 'E_CONFIG_INVALID');
    assert.match(e.message, /train\.lr: got "fast", expected a number/);
  });
});
