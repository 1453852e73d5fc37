// Backend behaviour beyond single-kernel accuracy: bit-identical results across thread counts and repeated calls,
// the arena allocator, backend selection, and worker shutdown.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { backendOptionsFromEnv, createBackend, getBackend, setBackend } from '../../../src/engine/backend/index.js';
import { kernelsModule } from '../../../src/engine/backend/kernels-module.js';
import type { Backend } from '../../../src/engine/backend/types.js';
import { WasmBackend } from '../../../src/engine/backend/wasm.js';
import { isGnnopsError } from '../../../src/util/errors.js';
import { randArray, randCsr, rng, sameBits, transposeCsr } from './fixtures.js';

const w1 = createBackend({ threads: 1 });
const w2 = createBackend({ threads: 2 });
after(() => {
  w1.dispose();
  w2.dispose();
});

/** Every parallel kernel once, on inputs big enough that 2 threads split the work; returns all outputs. */
function pipeline(be: Backend): Float32Array[] {
  const r = rng(42);
  const rows = 3000;
  const a = randCsr(rows, rows, 10, true, r);
  const { csr: t, perm } = transposeCsr(a);
  const [m, k, n] = [rows, 61, 33];
  const x = randArray(m * k, r);
  const wgt = randArray(k * n, r);
  const h = new Float32Array(m * n);
  be.gemm(false, false, m, n, k, x, wgt, h);
  const gw = new Float32Array(k * n);
  be.gemm(true, false, k, n, m, x, h, gw, 0.5, 0);
  const gx = new Float32Array(m * k);
  be.gemm(false, true, m, k, n, h, wgt, gx);
  const agg = new Float32Array(m * n);
  be.spmm(a, h, n, agg);
  be.relu(agg, agg);
  const bias = randArray(n, r);
  be.addBias(agg, bias, m, n, agg);
  const cs = new Float32Array(n);
  be.colSum(agg, m, n, cs);
  const heads = 8;
  const f = 5;
  const src = randArray(rows * heads, r);
  const dst = randArray(rows * heads, r);
  const e = a.indices.length;
  const sc = new Float32Array(e * heads);
  be.edgeScore(a.indptr, a.indices, src, dst, heads, 0.2, sc);
  const al = new Float32Array(e * heads);
  be.edgeSoftmax(a.indptr, sc, heads, al);
  const xh = randArray(rows * heads * f, r);
  const out = new Float32Array(rows * heads * f);
  be.edgeAggregate(a.indptr, a.indices, al, xh, heads, f, out);
  const gA = new Float32Array(e * heads);
  be.edgeAggregateGradAlpha(a.indptr, a.indices, out, xh, heads, f, gA);
  const gS = new Float32Array(e * heads);
  be.edgeSoftmaxBackward(a.indptr, al, gA, heads, gS);
  const gSrc = new Float32Array(rows * heads);
  const gDst = new Float32Array(rows * heads);
  be.edgeScoreBackward(a.indptr, a.indices, t.indptr, t.indices, perm, src, dst, heads, 0.2, gS, gSrc, gDst);
  const gX = new Float32Array(rows * heads * f);
  be.edgeAggregateGradX(t.indptr, t.indices, perm, al, out, heads, f, gX);
  const mask = new Uint8Array(m * n).map(() => (r() < 0.5 ? 1 : 0));
  be.maskScale(agg, mask, 2, agg);
  be.axpy(0.1, agg, gx.subarray(0, m * n));
  const rb = new Float32Array(m * n);
  be.reluBackward(agg, h, rb);
  return [h, gw, gx, agg, cs, sc, al, out, gA, gS, gSrc, gDst, gX, rb];
}

describe('determinism', () => {
  it('gives bit-identical results on 1 and 2 threads and across repeated calls', () => {
    const one = pipeline(w1);
    const two = pipeline(w2);
    const again = pipeline(w2);
    for (let i = 0; i < one.length; i++) {
      assert.ok(sameBits(one[i], two[i]), `output ${i}: 1 vs 2 threads`);
      assert.ok(sameBits(two[i], again[i]), `output ${i}: repeated call`);
    }
  });
});

describe('arena', () => {
  it('alloc returns zeroed views into wasm memory; free recycles the block, zeroed again', () => {
    const b = new WasmBackend({ threads: 1 });
    try {
      const a = b.alloc(1000);
      assert.ok(a instanceof Float32Array);
      assert.ok(a.every((v) => v === 0));
      a.fill(3);
      const off = a.byteOffset;
      b.free(a);
      b.free(a); // a double free is ignored, so the block is not handed out twice
      const c = b.alloc(990); // same size class
      assert.equal(c.byteOffset, off);
      assert.ok(c.every((v) => v === 0));
      const d = b.alloc(990);
      assert.notEqual(d.byteOffset, off);
      b.free(new Float32Array(8)); // foreign arrays are ignored
      assert.throws(() => b.alloc(-1), { code: 'E_INVALID_ARGUMENT' });
      assert.throws(() => b.alloc(2.5), { code: 'E_INVALID_ARGUMENT' });
      const u = b.allocU8(5);
      const i = b.allocI32(5);
      assert.ok(u instanceof Uint8Array && i instanceof Int32Array);
    } finally {
      b.dispose();
    }
  });

  it('stays flat when an epoch-like loop allocates and frees the same shapes', () => {
    const b = new WasmBackend({ threads: 1 });
    try {
      const epoch = () => {
        const bufs = [b.alloc(11701 * 33), b.alloc(11701 * 10), b.alloc(300 * 33)];
        const mask = b.allocU8(11701 * 33);
        b.gemm(false, false, 100, 33, 10, bufs[0], bufs[2], bufs[1]);
        b.maskScale(bufs[0], mask, 2, bufs[0]);
        for (const x of bufs) b.free(x);
        b.free(mask);
      };
      epoch();
      const first = b.memoryStats().reservedBytes;
      for (let i = 0; i < 20; i++) epoch();
      assert.equal(b.memoryStats().reservedBytes, first);
      assert.equal(b.memoryStats().liveBytes, 0);
    } finally {
      b.dispose();
    }
  });

  it('grows the memory for large buffers and keeps earlier views valid and owned', () => {
    const b = new WasmBackend({ threads: 2 });
    try {
      const early = b.alloc(16);
      const earlyCsr = b.importCsr({
        rows: 1,
        cols: 1,
        indptr: Int32Array.from([0, 1]),
        indices: new Int32Array(1),
        values: null,
      });
      early[3] = 5;
      const big = b.alloc(40 << 20); // 160 MB: beyond the initial 64 MiB
      big[big.length - 1] = 1;
      const x = b.alloc(64);
      x.fill(-1);
      b.relu(x, x);
      assert.equal(early[3], 5);
      assert.ok(x.every((v) => v === 0));
      // growing replaces memory.buffer; views made before must still count as arena memory (no staging copy)
      assert.equal(b.importCsr(earlyCsr).indptr, earlyCsr.indptr);
      b.free(big);
    } finally {
      b.dispose();
    }
  });

  it('importCsr rejects malformed CSR, naming the field and index', () => {
    const ok = {
      rows: 2,
      cols: 3,
      indptr: Int32Array.from([0, 1, 3]),
      indices: Int32Array.from([0, 2, 1]),
      values: null,
    };
    for (const be of [w1, createBackend({ name: 'reference' })]) {
      assert.doesNotThrow(() => be.importCsr(ok));
      assert.throws(() => be.importCsr({ ...ok, indices: Int32Array.from([0, 3, 1]) }), /csr\.indices: \[1\] = 3/);
      assert.throws(
        () => be.importCsr({ ...ok, indptr: Int32Array.from([0, 2, 1]) }),
        /csr\.indptr: decreases at \[2\]/,
      );
      assert.throws(() => be.importCsr({ ...ok, rows: 3 }), { code: 'E_INVALID_ARGUMENT' });
    }
  });

  it('a kernel that reads out of memory fails with a GnnopsError on 1 and 2 threads, and the backend still works', () => {
    for (const be of [w1, w2]) {
      const rows = 4000;
      const indptr = Int32Array.from({ length: rows + 1 }, (_, i) => i * 4);
      const indices = new Int32Array(rows * 4);
      indices[rows * 4 - 1] = 3_000_000; // row at 768 MB: past the end of wasm memory (unchecked: not imported)
      const a = { rows, cols: rows, indptr, indices, values: null };
      assert.throws(() => be.spmm(a, new Float32Array(rows * 64), 64, new Float32Array(rows * 64)), {
        code: 'E_INTERNAL',
      });
      const x = be.alloc(100000).fill(-1) as Float32Array;
      be.relu(x, x);
      assert.ok(x.every((v) => v === 0));
    }
  });

  it('importCsr copies a graph into the arena once and the copy gives the same SpMM', () => {
    const r = rng(11);
    const a = randCsr(50, 40, 4, true, r);
    const imported = w2.importCsr(a);
    assert.notEqual(imported.indptr, a.indptr);
    assert.deepEqual([...imported.indices], [...a.indices]);
    assert.equal(w2.importCsr(imported).indices, imported.indices);
    const x = randArray(40 * 7, r);
    const o1 = new Float32Array(50 * 7);
    const o2 = new Float32Array(50 * 7);
    w2.spmm(a, x, 7, o1);
    w2.spmm(imported, x, 7, o2);
    assert.ok(sameBits(o1, o2));
  });
});

describe('selection', () => {
  it('creates each backend by name and rejects unsupported combinations', () => {
    const ref = createBackend({ name: 'reference', dtype: 'f64' });
    assert.equal(ref.name, 'reference');
    assert.equal(ref.dtype, 'f64');
    assert.equal(w2.name, 'wasm');
    assert.equal(w2.threads, 2);
    assert.throws(() => createBackend({ name: 'wasm', dtype: 'f64' }), { code: 'E_INVALID_ARGUMENT' });
  });

  it('names the build command when build/kernels.wasm is missing', () => {
    assert.throws(
      () => kernelsModule('/nonexistent/build/kernels.wasm'),
      (e: unknown) => {
        assert.ok(isGnnopsError(e));
        assert.equal(e.code, 'E_NOT_FOUND');
        assert.match(e.message, /npm run build:kernels/);
        return true;
      },
    );
  });

  it('reads GNNOPS_BACKEND and GNNOPS_THREADS, rejecting bad values', () => {
    assert.deepEqual(backendOptionsFromEnv({ GNNOPS_BACKEND: 'reference', GNNOPS_THREADS: '2' }), {
      name: 'reference',
      threads: 2,
    });
    assert.throws(() => backendOptionsFromEnv({ GNNOPS_BACKEND: 'gpu' }), { code: 'E_INVALID_ARGUMENT' });
    assert.throws(() => backendOptionsFromEnv({ GNNOPS_THREADS: 'many' }), { code: 'E_INVALID_ARGUMENT' });
  });

  it('setBackend replaces the process-wide backend that getBackend returns', () => {
    const saved = process.env.GNNOPS_BACKEND;
    delete process.env.GNNOPS_BACKEND;
    try {
      const b = setBackend({ name: 'reference' });
      assert.equal(getBackend(), b);
      assert.equal(getBackend().name, 'reference');
      const c = setBackend({ name: 'wasm', threads: 1 });
      assert.equal(getBackend().name, 'wasm');
      c.dispose();
    } finally {
      if (saved !== undefined) process.env.GNNOPS_BACKEND = saved;
    }
  });
});

describe('workers', () => {
  it('stay correct over many back-to-back calls, with more threads than cores (late workers)', () => {
    const b = createBackend({ threads: 4 });
    try {
      const r = rng(12);
      const n = 70000; // above the parallel threshold: every call is dispatched
      const x = b.alloc(n);
      x.set(randArray(n, r));
      const y = b.alloc(n) as Float32Array;
      const z = b.alloc(n);
      const expected = new Float32Array(n);
      for (let i = 0; i < n; i++) expected[i] = 2 * Math.max(x[i], 0);
      for (let k = 0; k < 300; k++) {
        b.relu(x, y);
        b.relu(x, z);
        b.axpy(1, z, y);
        assert.ok(sameBits(y, expected), `call ${k}`);
        const a = randCsr(300, 300, 30, true, r);
        const f = 1 + (k % 9);
        const xs = randArray(300 * f, r);
        const o1 = new Float32Array(300 * f);
        const o2 = new Float32Array(300 * f);
        b.spmm(a, xs, f, o1);
        w1.spmm(a, xs, f, o2);
        assert.ok(sameBits(o1, o2), `spmm call ${k}`);
      }
    } finally {
      b.dispose();
    }
  });

  it('do not keep the process alive: a script that never calls dispose() exits promptly', () => {
    const mod = fileURLToPath(new URL('../../../src/engine/backend/index.ts', import.meta.url));
    const code = `import { createBackend } from ${JSON.stringify(mod)};
      const b = createBackend({ threads: 2 });
      const x = b.alloc(1 << 20); x.fill(-1); b.relu(x, x);
      console.log('done', x[5]);`;
    const t0 = Date.now();
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 30000,
    });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /done 0/);
    assert.ok(Date.now() - t0 < 30000);
  });
});
