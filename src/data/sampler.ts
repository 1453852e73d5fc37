/**
 * Neighbour sampling for mini-batch training, with the semantics of PyG's NeighborLoader (Hamilton et al., 2017):
 * starting from a batch of seed nodes, each layer samples up to `fanout` distinct neighbours of every node of the
 * current frontier, uniformly without replacement (`-1` takes all of them), and the sampled nodes become the next
 * frontier. `fanouts[h]` is the fanout of hop h + 1 (PyG's num_neighbors order: `15,10` samples 15 neighbours of
 * each seed, then 10 of each of those). Each layer is one bipartite block: its dst nodes are the frontier, its src nodes are the frontier
 * followed by the newly reached nodes in first-seen order, so dst node i is src node i (the root term of SAGE and the
 * self-loop of GCN/GAT need no lookup). Blocks are returned input side first: blocks[0] reads the features of
 * `nodes`, blocks[L−1] produces the seeds' outputs.
 *
 * A neighbour is an entry of the node's CSR row (the sources flowing into it, data/graph.ts); self-loops and repeated
 * entries are skipped, as the full-graph operators drop them. Sampling is reproducible: a batch's draws depend only on
 * its seed nodes and `rngSeed` (batchSeed below), not on which thread samples it.
 */
import { Rng } from '../engine/rng.js';

/** The adjacency the sampler reads: row i lists the neighbours of i (a subset of GraphData). */
export interface SamplerGraph {
  numNodes: number;
  indptr: Int32Array;
  indices: Int32Array;
}

/** One bipartite layer: row d (a dst node) lists local src indices; dst node d is src node d. */
export interface Block {
  numDst: number;
  numSrc: number;
  indptr: Int32Array;
  indices: Int32Array;
}

export interface SampledBatch {
  /** Global ids of the seed nodes (the outputs, in batch order). */
  seeds: Int32Array;
  /** Global ids of blocks[0]'s src nodes: the rows of the features to gather. */
  nodes: Int32Array;
  /** Input side first; blocks[l].numSrc = blocks[l−1].numDst… and blocks[L−1].numDst = seeds.length. */
  blocks: Block[];
  /** Sampled edges over all blocks. */
  edges: number;
}

/** A batch's stream seed from the run seed, the epoch and the batch index (independent of the worker). */
export function batchSeed(seed: number, epoch: number, batch: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1);
  h = Math.imul(h ^ epoch ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ batch ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A sampler over one graph. It keeps two node-sized scratch arrays (the global → local map and a per-row stamp), so
 * one instance per thread; `sample` leaves them clean for the next call.
 */
export class NeighborSampler {
  readonly graph: SamplerGraph;
  /** Per hop from the seeds, as PyG's num_neighbors: fanouts[0] for the seeds' neighbours; -1 = every neighbour. */
  readonly fanouts: readonly number[];
  readonly #local: Int32Array;
  readonly #stamp: Int32Array;
  #row = 0;
  /** Position scratch for Floyd's sampling. */
  #picked = new Int32Array(16);

  constructor(graph: SamplerGraph, fanouts: readonly number[]) {
    this.graph = graph;
    this.fanouts = fanouts;
    for (const f of fanouts) {
      if (!Number.isInteger(f) || (f < 1 && f !== -1)) throw new RangeError(`fanout ${f}: expected -1 or ≥ 1`);
    }
    this.#local = new Int32Array(graph.numNodes).fill(-1);
    this.#stamp = new Int32Array(graph.numNodes);
  }

  /** Samples the blocks of `seeds` (distinct global ids) with the stream seeded by `rngSeed`. */
  sample(seeds: Int32Array, rngSeed: number): SampledBatch {
    const rng = new Rng(rngSeed);
    const { indptr, indices } = this.graph;
    const local = this.#local;
    const stamp = this.#stamp;
    // nodes grows as layers reach new nodes; it is the src list of the current layer.
    let nodes = new Int32Array(Math.max(16, seeds.length * 2));
    let count = 0;
    const push = (v: number): number => {
      if (count === nodes.length) {
        const bigger = new Int32Array(nodes.length * 2);
        bigger.set(nodes);
        nodes = bigger;
      }
      local[v] = count;
      nodes[count] = v;
      return count++;
    };
    for (let i = 0; i < seeds.length; i++) {
      if (local[seeds[i]] !== -1) throw new RangeError(`seed ${seeds[i]} appears twice in one batch`);
      push(seeds[i]);
    }
    const blocks: Block[] = [];
    let edges = 0;
    let numDst = seeds.length;
    // Hop by hop from the seeds: the last model layer's block is sampled first.
    for (const k of this.fanouts) {
      const bptr = new Int32Array(numDst + 1);
      let bidx = new Int32Array(Math.max(16, k > 0 ? numDst * k : numDst * 8));
      let e = 0;
      for (let d = 0; d < numDst; d++) {
        const v = nodes[d];
        const lo = indptr[v];
        const deg = indptr[v + 1] - lo;
        const row = ++this.#row;
        stamp[v] = row; // skips self-loops
        const take = (u: number): void => {
          if (stamp[u] === row) return;
          stamp[u] = row;
          if (e === bidx.length) {
            const bigger = new Int32Array(bidx.length * 2);
            bigger.set(bidx);
            bidx = bigger;
          }
          const j = local[u];
          bidx[e++] = j === -1 ? push(u) : j;
        };
        if (k === -1 || deg <= k) {
          for (let p = lo; p < lo + deg; p++) take(indices[p]);
        } else {
          for (const p of this.floyd(rng, deg, k)) take(indices[lo + p]);
        }
        bptr[d + 1] = e;
      }
      blocks.push({ numDst, numSrc: count, indptr: bptr, indices: bidx.slice(0, e) });
      edges += e;
      numDst = count;
    }
    blocks.reverse();
    const out = nodes.slice(0, count);
    for (let i = 0; i < count; i++) local[out[i]] = -1;
    if (this.#row > 0x3fffffff) {
      stamp.fill(0);
      this.#row = 0;
    }
    return { seeds: Int32Array.from(seeds), nodes: out, blocks, edges };
  }

  /** k distinct positions in 0..n−1, uniformly (Floyd's algorithm: k draws, no n-sized scratch). */
  private floyd(rng: Rng, n: number, k: number): Int32Array {
    if (this.#picked.length < k) this.#picked = new Int32Array(k);
    const s = this.#picked;
    let m = 0;
    for (let j = n - k; j < n; j++) {
      const t = rng.int(j + 1);
      let seen = false;
      for (let q = 0; q < m; q++) {
        if (s[q] === t) {
          seen = true;
          break;
        }
      }
      s[m++] = seen ? j : t;
    }
    return s.subarray(0, k);
  }
}

/** The batches of one epoch: `seeds` shuffled with `seed` and `epoch` (unless shuffle is off), cut into size-b runs. */
export function epochBatches(
  seeds: Int32Array,
  batchSize: number,
  o: { seed: number; epoch: number; shuffle: boolean },
): Int32Array[] {
  const order = Int32Array.from(seeds);
  if (o.shuffle) {
    const rng = new Rng(batchSeed(o.seed, o.epoch, -1));
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
  const out: Int32Array[] = [];
  for (let s = 0; s < order.length; s += batchSize) out.push(order.subarray(s, Math.min(order.length, s + batchSize)));
  return out;
}
