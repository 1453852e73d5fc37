import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

// The floors are defined once, in .dependency-cruiser.cjs; the architecture guide's table must show the same ones.
function floorsOfRule(): string[][] {
  const text = readFileSync('.dependency-cruiser.cjs', 'utf8');
  const block = /const floors = \[([\s\S]*?)\n\];/.exec(text)?.[1];
  assert.ok(block, 'floors list in .dependency-cruiser.cjs');
  return [...block.matchAll(/\[([^\]]*)\]/g)].map((m) =>
    [...(m[1] ?? '').matchAll(/'([^']+)'/g)].map((f) => f[1] ?? ''),
  );
}

function floorsOfGuide(): string[][] {
  const text = readFileSync('docs/guide/architecture.md', 'utf8');
  const rows = [...text.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)];
  return rows
    .map((r) => ({ n: Number(r[1]), folders: [...(r[2] ?? '').matchAll(/`([^`]+)`/g)].map((f) => f[1] ?? '') }))
    .sort((a, b) => a.n - b.n)
    .map((r) => r.folders);
}

describe('architecture guide', () => {
  it('shows the floors the layer rule enforces, in order', () => {
    assert.deepEqual(floorsOfGuide(), floorsOfRule());
  });
  it('every top-level folder of src has a floor', async () => {
    const { readdirSync } = await import('node:fs');
    const folders = readdirSync('src', { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    assert.deepEqual(folders, floorsOfRule().flat().sort());
  });
});
