import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBackend, Rng, softmaxRows, type Tape } from '../../src/engine/index.js';
import { explainNode } from '../../src/explain/explain.js';
import { GNN_EXPLAINER_DEFAULTS, gnnExplainer } from '../../src/explain/methods.js';
import { computationSubgraph, maskPositions, SubgraphContext, subgraphStructure } from '../../src/explain/subgraph.js';
import { GraphContext } from '../../src/nn/graph-context.js';
import type { NodeModel } from '../../src/nn/models/model.js';
import { GnnopsError } from '../../src/util/errors.js';
import { F, smallGraph, smallModel } from './_small.js';

const NO_RNG = new Rng(0);
const g = smallGraph();

/** log p_c of `node` on the full graph, with an edge mask over the full graph's attention edges. */
function fullLogProb(
  tape: Tape,
  model: NodeModel,
  ctx: GraphContext,
  x: Float64Array,
  mask: Float64Array,
  node: number,
  c: number,
): number {
  const n = ctx.numNodes;
  const C = model.dims.numClasses;
  return tape.noGrad(() => {
    const xt = tape.tensor(x, [n, F]);
    const m = tape.tensor(mask, [mask.length, 1]);
    const logits = model.forward(xt, { graph: ctx, training: false, rng: NO_RNG, edgeMask: m });
    const p = softmaxRows(logits.data.subarray(node * C, (node + 1) * C), 1, C, new Float64Array(C));
    tape.reset();
    xt.dispose();
    m.dispose();
    return Math.log(p[c]);
  });
}

function rowOf(indptr: Int32Array, e: number): number {
  let i = 0;
  while (indptr[i + 1] <= e) i++;
  return i;
}

/** A node with a 2-hop subgraph smaller than the graph and at least 3 in-edges of its own. */
function pickNode(): number {
  for (let v = 0; v < g.structure.numNodes; v++) {
    const deg = g.structure.indptr[v + 1] - g.structure.indptr[v];
    const sg = computationSubgraph(g.structure, v, 2);
    if (deg >= 3 && sg.nodes.length < g.structure.numNodes) return v;
  }
  throw new Error('the fixture graph has no suitable node');
}

describe('edge mask', () => {
  const backends = [
    ['reference f64', createBackend({ name: 'reference', dtype: 'f64' })],
    ['wasm f32', createBackend({ name: 'wasm', threads: 1 })],
  ] as const;
  for (const name of ['gcn', 'sage', 'appnp'] as const)
    for (const [label, be] of backends)
      it(`${name} on ${label}: a mask of ones reproduces the unmasked forward exactly`, () => {
        const { tape, model } = smallModel(name, 1, be);
        const ctx = new GraphContext(tape.backend, g.structure);
        const x = tape.tensor(g.features, [g.structure.numNodes, F]);
        const plain = Float64Array.from(
          tape.noGrad(() => model.forward(x, { graph: ctx, training: false, rng: NO_RNG })).data,
        );
        tape.reset();
        const ones = tape.tensor(new Float64Array(ctx.attention.indices.length).fill(1), [
          ctx.attention.indices.length,
          1,
        ]);
        const masked = Float64Array.from(
          tape.noGrad(() => model.forward(x, { graph: ctx, training: false, rng: NO_RNG, edgeMask: ones })).data,
        );
        tape.reset();
        assert.deepEqual(masked, plain);
        // and a mask that is not all ones changes the output, so the comparison above can fail
        // (the first edge that is not a self-loop: SAGE gives self-loops no weight in its mean)
        const att = ctx.attention;
        let edge = 0;
        while (att.indices[edge] === rowOf(att.indptr, edge)) edge++;
        ones.data[edge] = 0;
        const changed = tape.noGrad(() =>
          model.forward(x, { graph: ctx, training: false, rng: NO_RNG, edgeMask: ones }),
        ).data;
        assert.ok(changed.some((v, i) => v !== plain[i]));
        tape.reset();
        ctx.dispose();
      });

  for (const name of ['gat', 'mlp'] as const) {
    it(`${name}: explanations are refused, naming the model and the architectures that work`, () => {
      const { tape, model } = smallModel(name);
      assert.throws(
        () => explainNode(tape, model, g, 0, { method: 'saliency', topK: 3 }),
        (e: unknown) =>
          e instanceof GnnopsError &&
          e.details?.field === 'model' &&
          e.message.includes(`${name} models cannot be explained`) &&
          e.message.includes('gcn, sage, appnp'),
      );
    });
  }
});

describe('computation subgraph', () => {
  for (const name of ['gcn', 'sage', 'appnp'] as const) {
    it(`${name}: the centre's prediction on its subgraph equals the full graph's`, () => {
      const { tape, model } = smallModel(name);
      const ctx = new GraphContext(tape.backend, g.structure);
      const ones = new Float64Array(ctx.attention.indices.length).fill(1);
      const x = Float64Array.from(g.features);
      for (const node of [0, 7, pickNode()]) {
        const e = explainNode(tape, model, g, node, { method: 'saliency', topK: 3 });
        const lp = fullLogProb(tape, model, ctx, x, ones, node, e.predicted);
        assert.ok(Math.abs(Math.log(e.probability) - lp) < 1e-12, `${name} node ${node}`);
      }
      ctx.dispose();
    });
  }
});

describe('saliency', () => {
  for (const name of ['gcn', 'sage', 'appnp'] as const) {
    it(`${name}: gradient × input equals central differences of log p_c on the full graph`, () => {
      const { tape, model } = smallModel(name);
      const node = pickNode();
      const e = explainNode(tape, model, g, node, { method: 'saliency', topK: 3 });
      assert.ok(e.src.length >= 3);
      const ctx = new GraphContext(tape.backend, g.structure);
      const base = new Float64Array(ctx.attention.indices.length).fill(1);
      const x = Float64Array.from(g.features);
      const h = 1e-6;
      const pos = maskPositions(ctx, e.src, e.dst);
      for (let k = 0; k < e.src.length; k++) {
        const up = base.slice();
        const down = base.slice();
        up[pos[k]] += h;
        down[pos[k]] -= h;
        const fd =
          (fullLogProb(tape, model, ctx, x, up, node, e.predicted) -
            fullLogProb(tape, model, ctx, x, down, node, e.predicted)) /
          (2 * h);
        assert.ok(Math.abs(fd - e.edgeImportance[k]) < 1e-6, `edge ${k}: saliency ${e.edgeImportance[k]}, fd ${fd}`);
      }
      // Features: Σ_i x_if ∂ log p_c / ∂ x_if over every node of the full graph (outside the subgraph it is 0).
      for (let f = 0; f < F; f++) {
        let s = 0;
        for (let i = 0; i < g.structure.numNodes; i++) {
          const up = x.slice();
          const down = x.slice();
          up[i * F + f] += h;
          down[i * F + f] -= h;
          const d =
            (fullLogProb(tape, model, ctx, up, base, node, e.predicted) -
              fullLogProb(tape, model, ctx, down, base, node, e.predicted)) /
            (2 * h);
          s += x[i * F + f] * d;
        }
        assert.ok(
          Math.abs(s - e.featureImportance[f]) < 1e-6,
          `feature ${f}: saliency ${e.featureImportance[f]}, fd ${s}`,
        );
      }
      // the check is not vacuous: some edges matter
      assert.ok(e.edgeImportance.some((v) => Math.abs(v) > 1e-4));
      ctx.dispose();
    });
  }
});

describe('GNNExplainer', () => {
  function setup(name: 'gcn' | 'sage') {
    const { tape, model } = smallModel(name);
    const node = pickNode();
    const sg = computationSubgraph(g.structure, node, 2);
    const ctx = new SubgraphContext(tape.backend, subgraphStructure(sg), sg.outsideDegree);
    const x = new Float32Array(sg.nodes.length * F);
    for (let l = 0; l < sg.nodes.length; l++)
      for (let f = 0; f < F; f++) x[l * F + f] = g.features[sg.nodes[l] * F + f];
    const input = { tape, model, ctx, x, numFeatures: F, positions: maskPositions(ctx, sg.src, sg.dst), target: 0 };
    return { input, sg, ctx };
  }

  for (const name of ['gcn', 'sage'] as const) {
    it(`${name}: learning the masks lowers the regularised loss; masks lie in (0, 1), one per edge and feature`, () => {
      const { input, sg, ctx } = setup(name);
      const losses: number[] = [];
      const r = gnnExplainer(input, { ...GNN_EXPLAINER_DEFAULTS, epochs: 200, onEpoch: (_e, l) => losses.push(l) });
      assert.equal(losses.length, 200);
      const last = losses.slice(-10).reduce((a, b) => a + b, 0) / 10;
      assert.ok(last < losses[0] - 0.05, `loss ${losses[0]} → ${last}`);
      assert.equal(r.edges.length, sg.src.length);
      assert.equal(r.features.length, F);
      for (const v of [...r.edges, ...r.features]) assert.ok(v > 0 && v < 1, String(v));
      ctx.dispose();
    });
  }

  it('is deterministic for a seed and differs across seeds', () => {
    const { input, ctx } = setup('gcn');
    const o = { ...GNN_EXPLAINER_DEFAULTS, epochs: 20 };
    const a = gnnExplainer(input, o);
    const b = gnnExplainer(input, o);
    const c = gnnExplainer(input, { ...o, seed: 1 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.edges, c.edges);
    ctx.dispose();
  });

  it('stops with the time limit’s error', () => {
    const { tape, model } = smallModel('gcn');
    const err = new GnnopsError('E_LIMIT_EXCEEDED', 'too slow');
    assert.throws(
      () =>
        explainNode(tape, model, g, pickNode(), {
          method: 'gnnexplainer',
          topK: 3,
          gnnExplainer: { epochs: 1_000_000 },
          timeLimit: { ms: 20, error: () => err },
        }),
      (e: unknown) => e === err,
    );
  });
});
