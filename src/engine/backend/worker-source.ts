/**
 * The kernel worker's program, evaluated as a CommonJS worker (`new Worker(WORKER_SOURCE, { eval: true })`) so it
 * needs no file next to the compiled output and loads the same way from tsx and from dist. Each worker
 * instantiates the kernels module on the shared memory, then loops: wait for the control block's generation to
 * change, claim chunks of the requested kernel's rows (Atomics.add on NEXT) until none are left, count itself done. Layout constants come from control.ts.
 */
import { CTRL } from './control.js';

export const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { module, memory, ctrlBuffer, names, spin, nWorkers } = workerData;
const C = ${JSON.stringify(CTRL)};
const ctrl = new Int32Array(ctrlBuffer);
const args = new Float64Array(ctrlBuffer, C.ARGS_BYTE, C.MAX_ARGS);
let fns;
try {
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  fns = names.map((n) => inst.exports[n]);
} catch (e) {
  Atomics.store(ctrl, C.ERROR, 1);
}
// Read the generation before reporting ready: the main thread dispatches only after every worker is ready.
let gen = Atomics.load(ctrl, C.GEN);
Atomics.add(ctrl, C.READY, 1);
Atomics.notify(ctrl, C.READY);
for (;;) {
  let spins = 0;
  while (Atomics.load(ctrl, C.GEN) === gen) {
    if (++spins > spin) {
      Atomics.add(ctrl, C.SLEEPERS, 1);
      Atomics.wait(ctrl, C.GEN, gen);
      Atomics.sub(ctrl, C.SLEEPERS, 1);
      spins = 0;
    }
  }
  gen = Atomics.load(ctrl, C.GEN);
  if (Atomics.load(ctrl, C.STOP) !== 0) break;
  try {
    const fn = fns[ctrl[C.FN]];
    const n = ctrl[C.NARGS];
    const a = [0, 0];
    for (let i = 0; i < n; i++) a.push(args[i]);
    const nchunks = ctrl[C.NCHUNKS];
    for (;;) {
      const c = Atomics.add(ctrl, C.NEXT, 1);
      if (c >= nchunks) break;
      a[0] = ctrl[C.BOUNDS + c];
      a[1] = ctrl[C.BOUNDS + c + 1];
      if (a[0] < a[1]) fn.apply(null, a);
    }
  } catch (e) {
    Atomics.store(ctrl, C.ERROR, 1);
  }
  if (Atomics.add(ctrl, C.DONE, 1) + 1 === nWorkers) Atomics.notify(ctrl, C.DONE);
}
`;
