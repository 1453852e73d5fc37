import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { NeighborLoader } from '../../src/data/neighbor-loader.js';
import { batchSeed, NeighborSampler, type SampledBatch, type SamplerGraph } from '../../src/data/sampler.js';
import { csrFromLists, randomGraph } from '../engine/_graphs.js';

// Purpose: rows of very different lengths (isolated nodes, degree 1, hubs) so fanouts both cap and do not cap.
const g: SamplerGraph = randomGraph(400, 12, 7);

function neighbours(graph: SamplerGraph, v: number): Set<number> {
  const s = new Set<number>();
  for (let p = graph.indptr[v]; p < graph.indptr[v + 1]; p++) if (graph.indices[p] !== v) s.add(graph.indices[p]);
  return s;
}

/** Walks every block edge back to global ids and checks the structural invariants. */
function checkBatch(graph: SamplerGraph, b: SampledBatch, fanouts: readonly number[]): void {
  assert.equal(b.blocks.length, fanouts.length);
  const last = b.blocks[b.blocks.length - 1];
  assert.equal(last.numDst, b.seeds.length);
  assert.equal(b.blocks[0].numSrc, b.nodes.length);
  assert.equal(new Set(b.nodes).size, b.nodes.length, 'src nodes are distinct');
  let edges = 0;
  for (let l = 0; l < b.blocks.length; l++) {
    const blk = b.blocks[l];
    if (l > 0) assert.equal(blk.numSrc, b.blocks[l - 1].numDst, 'a block reads the previous block’s outputs');
    assert.ok(blk.numDst <= blk.numSrc);
    for (let d = 0; d < blk.numDst; d++) {
      const v = b.nodes[d];
      const row = Array.from(blk.indices.subarray(blk.indptr[d], blk.indptr[d + 1]));
      const global = row.map((j) => b.nodes[j]);
      const real = neighbours(graph, v);
      assert.equal(new Set(global).size, global.length, `node ${v}: no repeated neighbour`);
      for (const u of global) assert.ok(real.has(u), `edge ${u} → ${v} exists in the graph`);
      const k = fanouts[fanouts.length - 1 - l];
      if (k === -1) assert.equal(global.length, real.size, `node ${v}: -1 takes the whole neighbourhood`);
      else assert.equal(global.length, Math.min(k, real.size), `node ${v}: fanout ${k} of ${real.size}`);
      for (const j of row) assert.ok(j >= 0 && j < blk.numSrc);
    }
    edges += blk.indptr[blk.numDst];
  }
  assert.equal(b.edges, edges);
  for (let i = 0; i < b.seeds.length; i++) assert.equal(b.nodes[i], b.seeds[i], 'seeds come first');
}

describe('NeighborSampler', () => {
  const seeds = Int32Array.from([3, 17, 42, 99, 150, 151, 399, 0]);

  it('samples real, distinct neighbours and respects every fanout', () => {
    for (const fanouts of [[5, 3], [2], [4, 4, 2], [-1, 3], [1, -1]]) {
      const s = new NeighborSampler(g, fanouts);
      checkBatch(g, s.sample(seeds, 11), fanouts);
    }
  });

  it('gives the same blocks for the same seed and different ones for another seed', () => {
    const a = new NeighborSampler(g, [5, 3]).sample(seeds, 11);
    const s = new NeighborSampler(g, [5, 3]);
    s.sample(Int32Array.from([1, 2]), 5); // leaves its scratch clean for the next batch
    const b = s.sample(seeds, 11);
    assert.deepEqual(b, a);
    const c = s.sample(seeds, 12);
    assert.notDeepEqual(c.nodes, a.nodes);
  });

  it('with -1 reaches exactly the k-hop neighbourhood', () => {
    const b = new NeighborSampler(g, [-1, -1]).sample(Int32Array.from([5]), 1);
    const hop1 = neighbours(g, 5);
    const want = new Set([5, ...hop1]);
    for (const u of hop1) for (const w of neighbours(g, u)) want.add(w);
    assert.deepEqual(new Set(b.nodes), want);
  });

  it('skips self-loops and repeated CSR entries', () => {
    const dup = csrFromLists([
      [0, 1, 1, 2],
      [0, 1],
      [0, 0],
    ]);
    const b = new NeighborSampler(dup, [-1]).sample(Int32Array.from([0, 1, 2]), 3);
    const blk = b.blocks[0];
    assert.deepEqual(Array.from(blk.indptr), [0, 2, 3, 4]);
    assert.deepEqual(Array.from(blk.indices), [1, 2, 0, 0]);
  });

  it('draws each neighbour with equal probability', () => {
    // A star: node 0 with 10 neighbours, fanout 3, over 20,000 draws each neighbour is picked 3/10 of the time.
    const star = csrFromLists([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], ...Array.from({ length: 10 }, () => [0])]);
    const s = new NeighborSampler(star, [3]);
    const hits = new Float64Array(11);
    const n = 20000;
    for (let t = 0; t < n; t++) {
      const b = s.sample(Int32Array.from([0]), batchSeed(1, 0, t));
      for (const j of b.blocks[0].indices) hits[b.nodes[j]]++;
    }
    for (let u = 1; u <= 10; u++) {
      const p = hits[u] / n;
      // Binomial sd of p at n = 20,000 is 0.0032; 5 sd keeps this from flaking.
      assert.ok(Math.abs(p - 0.3) < 0.016, `neighbour ${u}: ${p}`);
    }
  });

  it('rejects a seed twice in one batch and bad fanouts', () => {
    assert.throws(() => new NeighborSampler(g, [5]).sample(Int32Array.from([1, 1]), 0), /twice/);
    assert.throws(() => new NeighborSampler(g, [0]), /fanout 0/);
    assert.throws(() => new NeighborSampler(g, [-2]), /fanout -2/);
  });
});

describe('NeighborLoader', () => {
  const train = Int32Array.from({ length: 300 }, (_, i) => i);
  const threaded = new NeighborLoader({ graph: g, fanouts: [4, 3], batchSize: 64, seed: 9, workers: 2 });
  after(() => threaded.close());

  it('covers every seed once per epoch in batches of the given size', () => {
    const l = new NeighborLoader({ graph: g, fanouts: [4, 3], batchSize: 64, seed: 9, workers: 0 });
    const batches = [...l.epoch(train, 0)];
    assert.deepEqual(
      batches.map((b) => b.seeds.length),
      [64, 64, 64, 64, 44],
    );
    const all = batches.flatMap((b) => Array.from(b.seeds)).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from(train));
    for (const b of batches) checkBatch(g, b, [4, 3]);
    const next = [...l.epoch(train, 1)];
    assert.notDeepEqual(next[0].seeds, batches[0].seeds, 'each epoch reshuffles');
  });

  it('gives on worker threads exactly the batches of the calling thread', () => {
    const inline = new NeighborLoader({ graph: g, fanouts: [4, 3], batchSize: 64, seed: 9, workers: 0 });
    for (const epoch of [0, 1]) assert.deepEqual([...threaded.epoch(train, epoch)], [...inline.epoch(train, epoch)]);
  });

  it('starts the next epoch cleanly after an epoch is abandoned', () => {
    for (const b of threaded.epoch(train, 2)) {
      assert.equal(b.seeds.length, 64);
      break;
    }
    const inline = new NeighborLoader({ graph: g, fanouts: [4, 3], batchSize: 64, seed: 9, workers: 0 });
    assert.deepEqual([...threaded.epoch(train, 3)], [...inline.epoch(train, 3)]);
  });
});
