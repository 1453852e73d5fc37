import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseWikiCSFile, parseWikiCSText, wikicsFromJson } from '../../../src/data/datasets/wikics.js';
import type { GraphData } from '../../../src/data/graph.js';
import { numEdgeEntries } from '../../../src/data/graph.js';
import { generateSynthetic, summarizeSynthetic, type WikiCSJson } from '../../../src/data/synth.js';
import { GnnopsError } from '../../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'gnnops-wikics-'));

/** 4 nodes: a reciprocal pair 0↔1, 0→2, 1→2, 2→3 and a self-loop 3→3. */
function tiny(): WikiCSJson {
  return {
    features: [
      [1, 0],
      [0, 1],
      [0.5, 0.5],
      [-1, 2],
    ],
    labels: [0, 1, 1, 2],
    links: [[1, 2], [0, 2], [3], [3]],
    train_masks: [[true, false, false, false]],
    val_masks: [[false, true, false, false]],
    stopping_masks: [[false, false, true, false]],
    test_mask: [false, false, false, true],
  };
}

const neighbours = (g: GraphData, i: number) => [...g.indices.subarray(g.indptr[i], g.indptr[i + 1])];

function expectDataError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof GnnopsError && e.code === 'E_DATA_INVALID' && pattern.test(e.message));
}

describe('WikiCS format: a hand-made 4-node graph', () => {
  it('symmetrises and deduplicates by default, counting the self-loop once', () => {
    const g = wikicsFromJson(tiny());
    assert.equal(g.numNodes, 4);
    assert.equal(g.numFeatures, 2);
    assert.equal(g.numClasses, 3);
    assert.deepEqual(neighbours(g, 0), [1, 2]);
    assert.deepEqual(neighbours(g, 1), [0, 2]);
    assert.deepEqual(neighbours(g, 2), [0, 1, 3]);
    assert.deepEqual(neighbours(g, 3), [2, 3]);
    assert.equal(numEdgeEntries(g), 9);
    assert.equal(g.selfLoops, 1);
    assert.equal(g.rawEdgeEntries, 6);
    assert.equal(g.undirected, true);
    assert.deepEqual([...g.features], [1, 0, 0, 1, 0.5, 0.5, -1, 2]);
    assert.deepEqual([...g.splits[0].stopping], [0, 0, 1, 0]);
    assert.deepEqual([...g.testMask], [0, 0, 0, 1]);
    assert.equal(g.stoppingMask, 'stopping');
    assert.equal(g.synthetic, undefined);
  });

  it('keeps the raw directed links with undirected=false', () => {
    const g = wikicsFromJson(tiny(), { undirected: false });
    assert.deepEqual(neighbours(g, 0), [1, 2]);
    assert.deepEqual(neighbours(g, 2), [3]);
    assert.equal(numEdgeEntries(g), 6);
    assert.equal(g.selfLoops, 1);
    assert.notEqual(g.hash, wikicsFromJson(tiny()).hash);
  });

  it('accepts 0/1 masks and a one-element nested test_mask', () => {
    const d = tiny();
    const g = wikicsFromJson({ ...d, train_masks: [[1, 0, 0, 0]], test_mask: [[false, false, false, true]] });
    assert.equal(g.hash, wikicsFromJson(d).hash);
  });
});

describe('WikiCS format: bad input names the field and index', () => {
  const bad = (edit: (d: WikiCSJson & Record<string, unknown>) => void) => {
    const d = tiny() as WikiCSJson & Record<string, unknown>;
    edit(d);
    return () => wikicsFromJson(d);
  };
  it('wrong shapes', () => {
    expectDataError(
      bad((d) => d.features[2].push(3)),
      /^features\[2\]: has length 3, expected 2/,
    );
    expectDataError(
      bad((d) => d.links.pop()),
      /^links: has length 3, expected 4/,
    );
    expectDataError(
      bad((d) => d.val_masks[0].pop()),
      /^val_masks\[0\]: has length 3, expected 4/,
    );
    expectDataError(
      bad((d) => d.stopping_masks.push([true, true, true, true])),
      /^stopping_masks: has length 2, expected 1/,
    );
    expectDataError(
      bad((d) => {
        d.test_mask = [true];
      }),
      /^test_mask: has length 1, expected 4/,
    );
    expectDataError(
      bad((d) => {
        delete (d as Partial<WikiCSJson>).labels;
      }),
      /^labels: missing key/,
    );
  });
  it('labels out of range or not integers', () => {
    expectDataError(
      bad((d) => {
        d.labels[1] = -1;
      }),
      /^labels\[1\]: -1 is not a class id/,
    );
    expectDataError(
      bad((d) => {
        d.labels[3] = 1.5;
      }),
      /^labels\[3\]: 1.5/,
    );
    expectDataError(
      () => wikicsFromJson(tiny(), { metadata: { classNames: ['a', 'b'] } }),
      /^labels\[3\]: 2 is out of range 0..1/,
    );
  });
  it('link targets out of range', () => {
    expectDataError(
      bad((d) => {
        d.links[2] = [3, 4];
      }),
      /^links\[2\]\[1\]: target 4 is outside 0..3/,
    );
    expectDataError(
      bad((d) => {
        d.links[0] = [-1];
      }),
      /^links\[0\]\[0\]: target -1/,
    );
  });
  it('mask values that are not booleans', () => {
    expectDataError(
      bad((d) => {
        (d.train_masks[0] as unknown[])[2] = 'yes';
      }),
      /^train_masks\[0\]\[2\]: "yes" is not a boolean/,
    );
  });
  it('NaN and non-numeric features, including the bare NaN tokens Python writes', () => {
    const text = JSON.stringify(tiny()).replace('[0.5,0.5]', '[0.5,NaN]');
    expectDataError(() => parseWikiCSText(text), /^features\[2\]\[1\]: is NaN or infinite/);
    const inf = JSON.stringify(tiny()).replace('[-1,2]', '[-Infinity,2]');
    expectDataError(() => parseWikiCSText(inf), /^features\[3\]\[0\]: is NaN or infinite/);
    expectDataError(
      bad((d) => {
        (d.features[1] as unknown[])[0] = '1';
      }),
      /^features\[1\]\[0\]: "1" is not a number/,
    );
  });
  it('malformed JSON is a clear error, not a stack trace', () => {
    expectDataError(() => parseWikiCSText('{"labels": [0, 1', { source: 'x.json' }), /^x\.json: is not valid JSON/);
    expectDataError(() => parseWikiCSText('[1,2]'), /the top level is not a JSON object/);
  });
});

describe('WikiCS format: a generated 400-node file parsed in a worker', () => {
  const raw = generateSynthetic({ nodes: 400, features: 16, seed: 7, selfLoopRate: 0.05 });
  const path = join(dir, 'small.json');
  writeFileSync(path, JSON.stringify(raw));
  const known = summarizeSynthetic(raw);

  it('matches counts computed directly from the JSON', async () => {
    const g = await parseWikiCSFile(path);
    assert.equal(g.numNodes, 400);
    assert.equal(g.numFeatures, 16);
    assert.equal(g.splits.length, 20);
    assert.equal(g.synthetic, true);
    assert.equal(g.rawEdgeEntries, known.links);
    assert.ok(known.selfLoops > 0, 'the fixture has self-loops to count');
    assert.equal(g.selfLoops, known.selfLoops);
    // Independent undirected count: unordered pairs u<v plus self-loops.
    const pairs = new Set<string>();
    raw.links.forEach((row, u) => {
      for (const v of row) if (u !== v) pairs.add(u < v ? `${u},${v}` : `${v},${u}`);
    });
    assert.equal(numEdgeEntries(g), 2 * pairs.size + known.selfLoops);
    assert.deepEqual([...g.labels], raw.labels);
    for (let s = 0; s < 20; s++) {
      assert.deepEqual([...g.splits[s].train], raw.train_masks[s].map(Number), `train ${s}`);
      assert.deepEqual([...g.splits[s].stopping], raw.stopping_masks[s].map(Number), `stopping ${s}`);
    }
    assert.deepEqual([...g.testMask], raw.test_mask.map(Number));
    assert.ok(Math.abs(g.features[17] - raw.features[1][1]) < 1e-6);
    assert.equal(g.hash, wikicsFromJson(raw, { source: path }).hash, 'worker and in-thread parse agree');
  });

  it('does not block the event loop while parsing', async () => {
    let ticked = false;
    setTimeout(() => {
      ticked = true;
    }, 0);
    await parseWikiCSFile(path);
    assert.ok(ticked, 'a timer fired while the worker parsed');
  });

  it('rejects with a GnnopsError from the worker, and for a missing file', async () => {
    const badPath = join(dir, 'bad.json');
    const d = generateSynthetic({ nodes: 40, features: 4, seed: 1 });
    d.links[5] = [40];
    writeFileSync(badPath, JSON.stringify(d));
    await assert.rejects(
      parseWikiCSFile(badPath),
      (e: unknown) => e instanceof GnnopsError && /^links\[5\]\[0\]: target 40 is outside 0..39/.test(e.message),
    );
    await assert.rejects(
      parseWikiCSFile(join(dir, 'nope.json')),
      (e: unknown) => e instanceof GnnopsError && e.code === 'E_DATA_NOT_FOUND',
    );
  });

  it('reads titles and class names from metadata.json beside the file', async () => {
    const sub = mkdtempSync(join(dir, 'meta-'));
    const d = generateSynthetic({ nodes: 40, features: 4, seed: 2 });
    writeFileSync(join(sub, 'data.json'), JSON.stringify(d));
    const labels = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i), `class ${i}`]));
    const nodes = d.labels.map((_, i) => ({ id: 1000 + i, title: `Page ${i}`, label: 'x', outlinks: [], tokens: [] }));
    writeFileSync(join(sub, 'metadata.json'), JSON.stringify({ labels, nodes }));
    const g = await parseWikiCSFile(join(sub, 'data.json'));
    assert.equal(g.classNames?.[3], 'class 3');
    assert.equal(g.numClasses, 10);
    assert.equal(g.titles?.[39], 'Page 39');
    writeFileSync(join(sub, 'metadata.json'), JSON.stringify({ labels, nodes: nodes.slice(1) }));
    await assert.rejects(parseWikiCSFile(join(sub, 'data.json')), /metadata\.nodes: has 39 entries for 40 nodes/);
  });
});
