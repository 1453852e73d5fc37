// The wasm kernels against the reference twin: random shapes with odd sizes, empty inputs, every transpose form,
// alpha/beta, the aliasing the contract allows, 1 and 2 threads, inputs inside and outside wasm memory.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createBackend } from '../../../src/engine/backend/index.js';
import type { Backend, Csr, FArray } from '../../../src/engine/backend/types.js';
import { abs, assertClose, randArray, randCsr, rng, sameBits, transposeCsr } from './fixtures.js';

const ref = createBackend({ name: 'reference' });
const w1 = createBackend({ name: 'wasm', threads: 1 });
const w2 = createBackend({ name: 'wasm', threads: 2 });
after(() => {
  w1.dispose();
  w2.dispose();
});

/** Each wasm case runs on 1 thread with plain arrays (staged copies) and on 2 threads with arena buffers. */
const variants: Array<{ label: string; be: Backend; arena: boolean }> = [
  { label: '1 thread, plain arrays', be: w1, arena: false },
  { label: '2 threads, arena buffers', be: w2, arena: true },
];

function put<T extends FArray | Int32Array>(be: Backend, a: T, arena: boolean): T {
  if (!arena) return a.slice() as T;
  const b = (a instanceof Int32Array ? be.allocI32(a.length) : be.alloc(a.length)) as T;
  b.set(a as never);
  return b;
}

function putCsr(be: Backend, a: Csr, arena: boolean): Csr {
  return arena ? be.importCsr(a) : a;
}

/** f32 rounding bound for sums of `terms` products: relative to Σ|terms|. */
const relFor = (terms: number) => (terms + 4) * 1.2e-7;

describe('gemm', () => {
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1],
    [3, 5, 17],
    [17, 33, 5],
    [5, 3, 67],
    [67, 10, 33],
    [33, 67, 3],
    [130, 41, 97],
    [0, 5, 3],
    [4, 0, 3],
    [6, 7, 0],
    [5, 9, 0],
    [9, 1, 6],
  ];
  const coeffs: Array<[number, number]> = [
    [1, 0],
    [0.5, 0],
    [1, 1],
    [-2, 0.25],
  ];
  for (const { label, be, arena } of variants) {
    it(`matches the reference in all transpose forms (${label})`, () => {
      const r = rng(1);
      for (const [m, n, k] of shapes) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            for (const [alpha, beta] of coeffs) {
              const a = randArray(m * k, r);
              const b = randArray(k * n, r);
              const c0 = randArray(m * n, r);
              const expected = c0.slice();
              ref.gemm(transA, transB, m, n, k, a, b, expected, alpha, beta);
              const bound = abs(c0);
              ref.gemm(transA, transB, m, n, k, abs(a), abs(b), bound, Math.abs(alpha), Math.abs(beta));
              const c = put(be, c0, arena);
              be.gemm(transA, transB, m, n, k, put(be, a, arena), put(be, b, arena), c, alpha, beta);
              const what = `gemm ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${m}×${n}×${k} α=${alpha} β=${beta}`;
              assertClose(c, expected, what, bound, relFor(k));
            }
          }
        }
      }
    });
  }

  it('ignores NaN in C when beta = 0 and leaves C untouched when m or n is 0', () => {
    const r = rng(2);
    const [m, n, k] = [9, 13, 7];
    const a = randArray(m * k, r);
    const b = randArray(k * n, r);
    const c = new Float32Array(m * n).fill(Number.NaN);
    w2.gemm(false, false, m, n, k, a, b, c);
    assert.ok(c.every(Number.isFinite));
    const untouched = new Float32Array([7]);
    w2.gemm(false, false, 0, 1, 3, new Float32Array(0), randArray(3, r), untouched);
    assert.deepEqual([...untouched], [7]);
  });

  it('rejects buffers shorter than the shape', () => {
    assert.throws(
      () => w1.gemm(false, false, 4, 4, 4, new Float32Array(15), new Float32Array(16), new Float32Array(16)),
      {
        code: 'E_INVALID_ARGUMENT',
      },
    );
  });
});

describe('spmm', () => {
  const fs = [1, 3, 4, 5, 8, 10, 17, 33, 64];
  for (const { label, be, arena } of variants) {
    it(`matches the reference with and without values, beta 0 and 0.5 (${label})`, () => {
      const r = rng(3);
      for (const [rows, cols, deg] of [
        [0, 4, 2],
        [5, 0, 2],
        [1, 1, 1],
        [17, 33, 3],
        [67, 29, 6],
        [600, 300, 8],
      ]) {
        for (const withValues of [false, true]) {
          const a = randCsr(rows, cols, deg, withValues, r);
          for (const f of fs) {
            for (const beta of [0, 0.5]) {
              const x = randArray(cols * f, r);
              const o0 = randArray(rows * f, r);
              const expected = o0.slice();
              ref.spmm(a, x, f, expected, beta);
              const bound = abs(o0);
              const absA = { ...a, values: a.values ? abs(a.values as Float32Array) : null };
              ref.spmm(absA, abs(x), f, bound, beta);
              const out = put(be, o0, arena);
              be.spmm(putCsr(be, a, arena), put(be, x, arena), f, out, beta);
              const what = `spmm ${rows}×${cols} f=${f} values=${withValues} β=${beta}`;
              assertClose(out, expected, what, bound, relFor(4 * deg));
            }
          }
        }
      }
    });
  }
});

describe('edge ops', () => {
  const cases: Array<[number, number, number, number]> = [
    // rows, cols, avg degree, total (for threads to engage)
    [0, 3, 2, 0],
    [1, 1, 1, 0],
    [13, 7, 3, 0],
    [300, 250, 9, 0],
  ];
  for (const { label, be, arena } of variants) {
    it(`edgeScore, edgeSoftmax and its backward match the reference (${label})`, () => {
      const r = rng(4);
      for (const [rows, cols, deg] of cases) {
        const a = randCsr(rows, cols, deg, false, r);
        const e = a.indices.length;
        for (const heads of [1, 3, 4, 5, 8]) {
          const src = randArray(cols * heads, r);
          const dst = randArray(rows * heads, r);
          const expScores = new Float32Array(e * heads);
          ref.edgeScore(a.indptr, a.indices, src, dst, heads, 0.2, expScores);
          const ip = put(be, a.indptr, arena);
          const ix = put(be, a.indices, arena);
          const scores = put(be, new Float32Array(e * heads), arena);
          be.edgeScore(ip, ix, put(be, src, arena), put(be, dst, arena), heads, 0.2, scores);
          assertClose(scores, expScores, `edgeScore H=${heads}`, undefined, 2.5e-7, 0);

          const { csr: t, perm } = transposeCsr(a);
          const gScores = randArray(e * heads, r);
          for (const beta of [0, 1]) {
            const gs0 = randArray(cols * heads, r);
            const gd0 = randArray(rows * heads, r);
            const [expGS, expGD] = [gs0.slice(), gd0.slice()];
            ref.edgeScoreBackward(
              a.indptr,
              a.indices,
              t.indptr,
              t.indices,
              perm,
              src,
              dst,
              heads,
              0.2,
              gScores,
              expGS,
              expGD,
              beta,
            );
            const [bGS, bGD] = [abs(gs0), abs(gd0)];
            ref.edgeScoreBackward(
              a.indptr,
              a.indices,
              t.indptr,
              t.indices,
              perm,
              src,
              dst,
              heads,
              1,
              abs(gScores),
              bGS,
              bGD,
              beta,
            );
            const [gs, gd] = [put(be, gs0, arena), put(be, gd0, arena)];
            be.edgeScoreBackward(
              ip,
              ix,
              put(be, t.indptr, arena),
              put(be, t.indices, arena),
              put(be, perm, arena),
              put(be, src, arena),
              put(be, dst, arena),
              heads,
              0.2,
              put(be, gScores, arena),
              gs,
              gd,
              beta,
            );
            assertClose(gs, expGS, `edgeScoreBackward gradSrc H=${heads} β=${beta}`, bGS, relFor(8 * deg));
            assertClose(gd, expGD, `edgeScoreBackward gradDst H=${heads} β=${beta}`, bGD, relFor(4 * deg));
          }

          const expAlpha = new Float32Array(e * heads);
          ref.edgeSoftmax(a.indptr, scores, heads, expAlpha);
          const alpha = put(be, new Float32Array(e * heads), arena);
          be.edgeSoftmax(ip, scores, heads, alpha);
          assertClose(alpha, expAlpha, `edgeSoftmax H=${heads}`, undefined, 1e-5, 1e-7);

          const gA = randArray(e * heads, r);
          const expGS = new Float32Array(e * heads);
          ref.edgeSoftmaxBackward(a.indptr, alpha, gA, heads, expGS);
          const gS = put(be, new Float32Array(e * heads), arena);
          be.edgeSoftmaxBackward(ip, alpha, put(be, gA, arena), heads, gS);
          assertClose(gS, expGS, `edgeSoftmaxBackward H=${heads}`, undefined, 1e-5, relFor(4 * deg));
        }
      }
    });

    it(`edgeAggregate and its gradients match the reference (${label})`, () => {
      const r = rng(5);
      for (const [rows, cols, deg] of cases) {
        const a = randCsr(rows, cols, deg, false, r);
        const { csr: t, perm } = transposeCsr(a);
        const e = a.indices.length;
        for (const [heads, f] of [
          [1, 1],
          [1, 10],
          [3, 3],
          [5, 14],
          [8, 8],
          [2, 33],
        ]) {
          const hf = heads * f;
          const alpha = randArray(e * heads, r);
          const x = randArray(cols * hf, r);
          const ip = put(be, a.indptr, arena);
          const ix = put(be, a.indices, arena);
          const expOut = new Float32Array(rows * hf);
          ref.edgeAggregate(a.indptr, a.indices, alpha, x, heads, f, expOut);
          const bound = new Float32Array(rows * hf);
          ref.edgeAggregate(a.indptr, a.indices, abs(alpha), abs(x), heads, f, bound);
          const out = put(be, new Float32Array(rows * hf).fill(Number.NaN), arena);
          be.edgeAggregate(ip, ix, put(be, alpha, arena), put(be, x, arena), heads, f, out);
          assertClose(out, expOut, `edgeAggregate H=${heads} F=${f}`, bound, relFor(4 * deg));

          const gOut = randArray(rows * hf, r);
          const expGA = new Float32Array(e * heads);
          ref.edgeAggregateGradAlpha(a.indptr, a.indices, gOut, x, heads, f, expGA);
          const boundGA = new Float32Array(e * heads);
          ref.edgeAggregateGradAlpha(a.indptr, a.indices, abs(gOut), abs(x), heads, f, boundGA);
          const gA = put(be, new Float32Array(e * heads), arena);
          be.edgeAggregateGradAlpha(ip, ix, put(be, gOut, arena), put(be, x, arena), heads, f, gA);
          assertClose(gA, expGA, `edgeAggregateGradAlpha H=${heads} F=${f}`, boundGA, relFor(f));

          const expGX = new Float32Array(cols * hf);
          ref.edgeAggregateGradX(t.indptr, t.indices, perm, alpha, gOut, heads, f, expGX);
          const boundGX = new Float32Array(cols * hf);
          ref.edgeAggregateGradX(t.indptr, t.indices, perm, abs(alpha), abs(gOut), heads, f, boundGX);
          const gX = put(be, new Float32Array(cols * hf).fill(Number.NaN), arena);
          const tp = put(be, t.indptr, arena);
          const tx = put(be, t.indices, arena);
          be.edgeAggregateGradX(
            tp,
            tx,
            put(be, perm, arena),
            put(be, alpha, arena),
            put(be, gOut, arena),
            heads,
            f,
            gX,
          );
          assertClose(gX, expGX, `edgeAggregateGradX H=${heads} F=${f}`, boundGX, relFor(8 * deg));
        }
      }
    });
  }

  it('rejects edge-wise buffers shorter than the graph needs', () => {
    const a = randCsr(20, 20, 3, false, rng(13));
    const e = a.indices.length;
    assert.throws(() => w2.edgeSoftmax(a.indptr, new Float32Array(e * 2 - 1), 2, new Float32Array(e * 2)), {
      code: 'E_INVALID_ARGUMENT',
    });
    assert.throws(
      () =>
        w2.edgeAggregate(a.indptr, a.indices, new Float32Array(e), new Float32Array(60), 1, 3, new Float32Array(59)),
      /edgeAggregate: out has 59 elements, needs 60/,
    );
  });

  it('edgeAggregateGradX is the adjoint of edgeAggregate: ⟨gOut, agg(x)⟩ = ⟨gradX, x⟩', () => {
    const r = rng(6);
    const a = randCsr(40, 30, 5, false, r);
    const { csr: t, perm } = transposeCsr(a);
    const [heads, f] = [3, 5];
    const alpha = randArray(a.indices.length * heads, r);
    const x = randArray(30 * heads * f, r);
    const gOut = randArray(40 * heads * f, r);
    const out = new Float32Array(40 * heads * f);
    const gX = new Float32Array(30 * heads * f);
    w2.edgeAggregate(a.indptr, a.indices, alpha, x, heads, f, out);
    w2.edgeAggregateGradX(t.indptr, t.indices, perm, alpha, gOut, heads, f, gX);
    const dot = (p: Float32Array, q: Float32Array) => p.reduce((s, v, i) => s + v * q[i], 0);
    assert.ok(Math.abs(dot(gOut, out) - dot(gX, x)) < 1e-3);
  });
});

describe('elementwise', () => {
  const sizes = [0, 1, 3, 5, 17, 67, 100003];
  for (const { label, be, arena } of variants) {
    it(`relu, reluBackward, maskScale, axpy match the reference, in place too (${label})`, () => {
      const r = rng(7);
      for (const n of sizes) {
        const x = randArray(n, r);
        if (n > 2) x[1] = Number.NaN;
        const expRelu = new Float32Array(n);
        ref.relu(x, expRelu);
        const inPlace = put(be, x, arena);
        be.relu(inPlace, inPlace);
        assert.ok(sameBits(inPlace, expRelu), `relu n=${n}`);

        const g = randArray(n, r);
        const expRB = new Float32Array(n);
        ref.reluBackward(expRelu, g, expRB);
        const gb = put(be, g, arena);
        be.reluBackward(put(be, expRelu, arena), gb, gb);
        assert.ok(sameBits(gb, expRB), `reluBackward n=${n}`);

        const mask = new Uint8Array(n).map(() => (r() < 0.75 ? 1 : 0));
        const xs = randArray(n, r);
        const expMS = new Float32Array(n);
        ref.maskScale(xs, mask, 1 / 0.75, expMS);
        const ms = put(be, xs, arena);
        const m = arena ? be.allocU8(n) : mask;
        m.set(mask);
        be.maskScale(ms, m, 1 / 0.75, ms);
        assertClose(ms, expMS, `maskScale n=${n}`, undefined, 2.5e-7, 0);

        const y = randArray(n, r);
        const expY = y.slice();
        ref.axpy(-0.3, xs, expY);
        const yb = put(be, y, arena);
        be.axpy(-0.3, put(be, xs, arena), yb);
        assertClose(yb, expY, `axpy n=${n}`, undefined, 2e-7, 1e-7);
      }
    });

    it(`addBias and colSum match the reference (${label})`, () => {
      const r = rng(8);
      for (const [rows, cols] of [
        [0, 3],
        [1, 1],
        [3, 5],
        [129, 33],
        [1000, 10],
        [3000, 64],
      ]) {
        const x = randArray(rows * cols, r);
        const bias = randArray(cols, r);
        const expB = new Float32Array(rows * cols);
        ref.addBias(x, bias, rows, cols, expB);
        const xb = put(be, x, arena);
        be.addBias(xb, put(be, bias, arena), rows, cols, xb);
        assert.ok(sameBits(xb, expB), `addBias ${rows}×${cols}`);

        const expS = new Float32Array(cols);
        ref.colSum(x, rows, cols, expS);
        const boundS = new Float32Array(cols);
        ref.colSum(abs(x), rows, cols, boundS);
        const s = put(be, new Float32Array(cols).fill(Number.NaN), arena);
        be.colSum(put(be, x, arena), rows, cols, s);
        assertClose(s, expS, `colSum ${rows}×${cols}`, boundS, relFor(rows));
      }
    });
  }
});

describe('dropoutMask', () => {
  for (const { label, be, arena } of variants) {
    it(`gives the reference's bits for any size, p and seed (${label})`, () => {
      for (const n of [0, 1, 3, 5, 17, 67, 100003]) {
        for (const p of [0, 0.25, 0.5, 0.999, 1]) {
          for (const seed of [0, 7, 2 ** 40 + 5]) {
            const expected = new Uint8Array(n);
            ref.dropoutMask(expected, p, seed);
            const mask = arena ? be.allocU8(n) : new Uint8Array(n).fill(9);
            be.dropoutMask(mask, p, seed);
            assert.deepEqual(mask, expected, `n=${n} p=${p} seed=${seed}`);
          }
        }
      }
    });
  }

  it('keeps about 1 − p of the elements, and other seeds give other masks', () => {
    const n = 100003;
    const a = new Uint8Array(n);
    const b = new Uint8Array(n);
    w2.dropoutMask(a, 0.25, 1);
    w2.dropoutMask(b, 0.25, 2);
    const kept = a.reduce((s, v) => s + v, 0) / n;
    assert.ok(Math.abs(kept - 0.75) < 0.01, `kept ${kept}`);
    assert.ok(a.every((v) => v === 0 || v === 1));
    let same = 0;
    for (let i = 0; i < n; i++) if (a[i] === b[i]) same++;
    // independent masks agree on 0.75² + 0.25² = 62.5 % of the elements
    assert.ok(Math.abs(same / n - 0.625) < 0.01, `agreement ${same / n}`);
    const zeros = new Uint8Array(10).fill(1);
    w2.dropoutMask(zeros, 0, 3);
    assert.ok(zeros.every((v) => v === 1));
  });
});

describe('staging and dtypes', () => {
  it('accepts Float64Array inputs and outputs on the wasm backend (converted through float32)', () => {
    const r = rng(9);
    const [m, n, k] = [7, 9, 11];
    const a = randArray(m * k, r);
    const b = randArray(k * n, r);
    const c32 = new Float32Array(m * n);
    w1.gemm(false, false, m, n, k, a, b, c32);
    const c64 = new Float64Array(m * n);
    w1.gemm(false, false, m, n, k, Float64Array.from(a), Float64Array.from(b), c64);
    assert.deepEqual([...c64], [...c32]);
  });

  it('the reference backend computes in float64 when asked', () => {
    const r64 = createBackend({ name: 'reference', dtype: 'f64' });
    const a = r64.alloc(4);
    assert.ok(a instanceof Float64Array);
    a.set([1, 2, 3, 4]);
    const b = r64.alloc(4);
    b.set([1e-10, 1, 1, 1]);
    const c = r64.alloc(4);
    r64.gemm(false, false, 2, 2, 2, a, b, c);
    // [[1,2],[3,4]] · [[1e-10,1],[1,1]] in exact arithmetic
    assert.deepEqual([...c], [2 + 1e-10, 3, 4 + 3e-10, 7]);
  });
});
