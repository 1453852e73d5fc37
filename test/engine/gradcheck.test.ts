import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradcheck } from '../../src/engine/gradcheck.js';
import type { Tensor } from '../../src/engine/tensor.js';
import { f64Tape, Rng, randParam } from './_setup.js';

/** x² with a deliberately wrong backward (3x instead of 2x), to show the checker catches it. */
function brokenSquare(x: Tensor): Tensor {
  const tape = x.tape;
  const out = tape.result(x.shape, x);
  for (let i = 0; i < x.size; i++) out.data[i] = x.data[i] * x.data[i];
  if (out.requiresGrad) {
    tape.record(out, (g) =>
      tape.gradInto(x, (buf) => {
        for (let i = 0; i < x.size; i++) buf[i] += 3 * x.data[i] * g[i];
      }),
    );
  }
  return out;
}

describe('gradcheck', () => {
  it('flags a wrong backward and locates the element', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(1), [2, 3], true);
    const r = gradcheck(tape, () => brokenSquare(x), [x]);
    assert.equal(r.ok, false);
    assert.ok(r.worst);
    assert.ok(Math.abs(r.worst.analytic / r.worst.numeric - 1.5) < 1e-6);
  });

  it('leaves inputs unchanged and their grads cleared', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(2), [2, 2]);
    const before = [...x.data];
    gradcheck(tape, () => brokenSquare(x), [x]);
    assert.deepEqual([...x.data], before);
    assert.equal(x.grad, null);
    assert.equal(tape.liveCount, 0);
  });
});
