import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradcheck } from '../../../src/engine/gradcheck.js';
import { elu, leakyRelu, relu } from '../../../src/engine/ops/activation.js';
import { add, addBias, mul, scale, sub } from '../../../src/engine/ops/elementwise.js';
import { f64Tape, Rng, randParam } from '../_setup.js';

describe('elementwise ops', () => {
  it('compute known values', () => {
    const tape = f64Tape();
    const a = tape.tensor([1, -2, 3, -4], [2, 2]);
    const b = tape.tensor([0.5, 0.5, 2, 2], [2, 2]);
    assert.deepEqual([...add(a, b).data], [1.5, -1.5, 5, -2]);
    assert.deepEqual([...sub(a, b).data], [0.5, -2.5, 1, -6]);
    assert.deepEqual([...mul(a, b).data], [0.5, -1, 6, -8]);
    assert.deepEqual([...scale(a, -2).data], [-2, 4, -6, 8]);
    assert.deepEqual([...addBias(a, tape.tensor([10, 20], [2])).data], [11, 18, 13, 16]);
    assert.deepEqual([...relu(a).data], [1, 0, 3, 0]);
    assert.deepEqual([...leakyRelu(a, 0.1).data], [1, -0.2, 3, -0.4]);
    const e = elu(a).data;
    assert.equal(e[0], 1);
    assert.ok(Math.abs(e[1] - (Math.exp(-2) - 1)) < 1e-15);
  });

  it('rejects shape mismatches', () => {
    const tape = f64Tape();
    assert.throws(() => add(tape.zeros([2, 2]), tape.zeros([2, 3])), /shapes differ/);
    assert.throws(() => addBias(tape.zeros([2, 2]), tape.zeros([3])), /bias: has 3 entries, x has 2 columns/);
  });

  const cases: [
    string,
    (t: ReturnType<typeof f64Tape>, r: Rng) => [() => ReturnType<typeof add>, ReturnType<typeof add>[]],
  ][] = [
    [
      'add',
      (t, r) => {
        const a = randParam(t, r, [3, 4]);
        const b = randParam(t, r, [3, 4]);
        return [() => add(a, b), [a, b]];
      },
    ],
    [
      'sub',
      (t, r) => {
        const a = randParam(t, r, [3, 4]);
        const b = randParam(t, r, [3, 4]);
        return [() => sub(a, b), [a, b]];
      },
    ],
    [
      'mul',
      (t, r) => {
        const a = randParam(t, r, [3, 4]);
        const b = randParam(t, r, [3, 4]);
        return [() => mul(a, b), [a, b]];
      },
    ],
    [
      'mul(x, x)',
      (t, r) => {
        const a = randParam(t, r, [3, 4]);
        return [() => mul(a, a), [a]];
      },
    ],
    [
      'scale',
      (t, r) => {
        const a = randParam(t, r, [3, 4]);
        return [() => scale(a, -1.7), [a]];
      },
    ],
    [
      'addBias',
      (t, r) => {
        const a = randParam(t, r, [5, 3]);
        const b = randParam(t, r, [3]);
        return [() => addBias(a, b), [a, b]];
      },
    ],
    [
      'relu',
      (t, r) => {
        const a = randParam(t, r, [4, 5], true);
        return [() => relu(a), [a]];
      },
    ],
    [
      'leakyRelu',
      (t, r) => {
        const a = randParam(t, r, [4, 5], true);
        return [() => leakyRelu(a, 0.2), [a]];
      },
    ],
    [
      'elu',
      (t, r) => {
        const a = randParam(t, r, [4, 5], true);
        return [() => elu(a, 1.3), [a]];
      },
    ],
    [
      'relu(x) + x (fan-out)',
      (t, r) => {
        const a = randParam(t, r, [3, 3], true);
        return [() => add(relu(a), a), [a]];
      },
    ],
  ];
  for (const [name, build] of cases) {
    it(`${name}: gradients match finite differences`, () => {
      const tape = f64Tape();
      const [fn, inputs] = build(tape, new Rng(name.length));
      const r = gradcheck(tape, fn, inputs);
      assert.ok(r.ok, JSON.stringify(r));
    });
  }
});
