import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliReference, escapeAngles, generatedDocs, staleDocs } from '../../scripts/docs-gen.js';
import { buildProgram } from '../../src/cli/main.js';

describe('generated docs pages', () => {
  it('the committed reference pages match their generators (CLI, config schema, OpenAPI)', async () => {
    const stale = await staleDocs();
    assert.deepEqual(stale, [], `out of date: ${stale.join(', ')}; run node --import tsx scripts/docs-gen.ts`);
  });

  it('the CLI page covers every command and option of the real program', () => {
    const page = cliReference();
    const walk = (cmd: ReturnType<typeof buildProgram>, prefix: string): void => {
      for (const sub of cmd.commands) {
        if (sub.name() === 'help') continue;
        const name = `${prefix} ${sub.name()}`;
        assert.ok(page.includes(`\`${name}\``), `${name} is documented`);
        for (const o of sub.options)
          if (o.long !== '--help') assert.ok(page.includes(o.flags.replace(/\|/g, '\\|')), `${name} ${o.flags}`);
        walk(sub, name);
      }
    };
    walk(buildProgram(), 'gnnops');
  });

  it('the API page lists every route of the OpenAPI document', async () => {
    const files = await generatedDocs();
    const doc = JSON.parse(files['docs/public/openapi.generated.json']) as {
      paths: Record<string, Record<string, unknown>>;
    };
    assert.ok(Object.keys(doc.paths).includes('/v2/health/ready'));
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const m of Object.keys(methods)) {
        assert.ok(files['docs/reference/api.md'].includes(`## ${m.toUpperCase()} \`${path}\``), `${m} ${path}`);
      }
    }
  });

  it('escapes angle brackets in prose but not in code', () => {
    assert.equal(escapeAngles('a <b> `<c>`'), 'a &lt;b&gt; `<c>`');
    assert.equal(escapeAngles('```\n<x>\n```\n<y>'), '```\n<x>\n```\n&lt;y&gt;');
  });
});
