/**
 * GNNSafe's energy score and its propagation on a graph small enough to check by hand, and the AUROC the benchmark
 * reports on hand-made cases.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auroc, energyScores, oodScores, propagateEnergy, propagateEnergyCsr } from '../../src/monitor/ood.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

// logsumexp of [ln k, 0] is ln(k + 1): energies −ln 2, −ln 4, −ln 8 = −ln 2 · [1, 2, 3]
const logits = [0, 0, Math.log(3), 0, Math.log(7), 0];
const L = Math.LN2;
// edges 1 → 0, 2 → 0, 0 → 1; node 2 has no in-neighbours
const src = [1, 2, 0];
const dst = [0, 0, 1];

describe('OOD energy score (GNNSafe)', () => {
  it('E = −T·logsumexp(z / T)', () => {
    close(energyScores(logits, 3, 2), [-L, -2 * L, -3 * L]);
    // T = 2: −2·ln(e^{ln3 / 2} + 1) = −2·ln(√3 + 1)
    close(energyScores(logits, 3, 2, 2).subarray(1, 2), [-2 * Math.log(Math.sqrt(3) + 1)]);
    assert.throws(() => energyScores(logits, 3, 2, 0), /temperature/);
  });

  it('propagation: e ← ½e + ½·mean of in-neighbours, twice; a node without in-neighbours keeps its energy', () => {
    // step 1: node 0 = ½·1 + ½·(2 + 3)/2 = 1.75, node 1 = ½·2 + ½·1 = 1.5, node 2 = 3
    close(propagateEnergy([-L, -2 * L, -3 * L], src, dst, { steps: 1 }), [-1.75 * L, -1.5 * L, -3 * L]);
    // step 2: node 0 = ½·1.75 + ½·(1.5 + 3)/2 = 2, node 1 = ½·1.5 + ½·1.75 = 1.625
    const two = [-2 * L, -1.625 * L, -3 * L];
    close(oodScores(logits, 2, src, dst), two);
    // the CSR form (in-neighbours of 0: 1, 2; of 1: 0) gives the same
    close(propagateEnergyCsr([-L, -2 * L, -3 * L], [0, 2, 3, 3], [1, 2, 0]), two);
    // K = 0 is the plain energy; α = 1 never mixes
    close(oodScores(logits, 2, src, dst, { steps: 0 }), [-L, -2 * L, -3 * L]);
    close(oodScores(logits, 2, src, dst, { alpha: 1 }), [-L, -2 * L, -3 * L]);
  });

  it('AUROC: separated, reversed, tied', () => {
    assert.equal(auroc([3, 4], [1, 2]), 1);
    assert.equal(auroc([1, 2], [3, 4]), 0);
    assert.equal(auroc([1, 1], [1]), 0.5);
    assert.equal(auroc([2, 1], [1.5]), 0.5);
    // pairs: 2 beats both, 1 ties 1 and beats 0, 3 beats both
    assert.equal(auroc([2, 1, 3], [1, 0]), (2 + 1.5 + 2) / 6);
    assert.throws(() => auroc([], [1]), /at least one/);
  });
});
