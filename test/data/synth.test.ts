import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { wikicsFromJson } from '../../src/data/datasets/wikics.js';
import { generateSynthetic, WIKICS_CLASS_SIZES, writeSynthetic } from '../../src/data/synth.js';
import { GnnopsError } from '../../src/util/errors.js';
import { sha256 } from '../../src/util/fs.js';

describe('synthetic WikiCS-format generator', () => {
  const g = generateSynthetic({ nodes: 1000, features: 12, seed: 3 });

  it('is deterministic for a seed and differs across seeds', () => {
    const again = generateSynthetic({ nodes: 1000, features: 12, seed: 3 });
    assert.equal(sha256(JSON.stringify(again)), sha256(JSON.stringify(g)));
    assert.notEqual(
      sha256(JSON.stringify(generateSynthetic({ nodes: 1000, features: 12, seed: 4 }))),
      sha256(JSON.stringify(g)),
    );
  });

  it('has the requested shape, 20 splits and the synthetic marker', () => {
    assert.equal(g.labels.length, 1000);
    assert.ok(g.features.every((r) => r.length === 12));
    assert.equal(g.train_masks.length, 20);
    assert.deepEqual(g.gnnops_synthetic, { generator: 'gnnops data synth', version: 1, seed: 3, nodes: 1000 });
    assert.equal(wikicsFromJson(g).synthetic, true);
  });

  it('follows the WikiCS split protocol per observed class', () => {
    const sizes = new Array(10).fill(0);
    for (const y of g.labels) sizes[y]++;
    const testPer = new Array(10).fill(0);
    g.labels.forEach((y, i) => {
      if (g.test_mask[i]) testPer[y]++;
    });
    assert.deepEqual(
      testPer,
      sizes.map((n) => Math.floor(0.5 * n)),
    );
    for (let s = 0; s < 20; s++) {
      const tr = new Array(10).fill(0);
      const st = new Array(10).fill(0);
      g.labels.forEach((y, i) => {
        const inSets = [g.test_mask[i], g.train_masks[s][i], g.val_masks[s][i], g.stopping_masks[s][i]].filter(Boolean);
        assert.equal(inSets.length, 1, `split ${s}: node ${i} is in exactly one set`);
        if (g.train_masks[s][i]) tr[y]++;
        if (g.stopping_masks[s][i]) st[y]++;
      });
      assert.deepEqual(
        tr,
        sizes.map((n) => Math.floor(0.05 * n)),
      );
      assert.deepEqual(
        st,
        sizes.map((n) => Math.floor(0.3 * n)),
      );
    }
    assert.notDeepEqual(g.train_masks[0], g.train_masks[1], 'splits differ');
  });

  it('latent classes follow WikiCS proportions; links are homophilous well above chance', () => {
    const big = generateSynthetic({ nodes: 11701, features: 2, seed: 1, labelNoise: 0 });
    const sizes = new Array(10).fill(0);
    for (const y of big.labels) sizes[y]++;
    assert.deepEqual(sizes, [...WIKICS_CLASS_SIZES]);
    let same = 0;
    let all = 0;
    big.links.forEach((row, i) => {
      for (const j of row) {
        all++;
        if (big.labels[j] === big.labels[i]) same++;
      }
    });
    // Chance level is Σ p_c² ≈ 0.14 for these proportions.
    assert.ok(same / all > 0.5, `edge homophily ${same / all}`);
    const deg = big.links.map((r) => r.length).sort((a, b) => a - b);
    assert.ok(deg[deg.length - 1] > 10 * deg[Math.floor(deg.length / 2)], 'heavy-tailed out-degrees');
  });

  it('rejects out-of-range options naming the option', () => {
    assert.throws(
      () => generateSynthetic({ nodes: 5 }),
      (e: unknown) => e instanceof GnnopsError && /synth: nodes = 5 is out of range/.test(e.message),
    );
    assert.throws(() => generateSynthetic({ homophily: 2 }), /homophily = 2/);
    assert.throws(() => generateSynthetic({ nodes: 100.5 }), /an integer/);
  });

  it('writes the file atomically with a summary of what it wrote', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gnnops-synth-')), 'g.json');
    const s = writeSynthetic(path, { nodes: 200, features: 3, seed: 9 });
    const text = readFileSync(path, 'utf8');
    assert.equal(s.bytes, Buffer.byteLength(text));
    const back = JSON.parse(text);
    assert.equal(s.nodes, 200);
    assert.equal(s.links, back.links.flat().length);
  });
});
