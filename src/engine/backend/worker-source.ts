/**
 * The kernel worker's program, evaluated as a CommonJS worker (`new Worker(WORKER_SOURCE, { eval: true })`) so it
 * needs no file next to the compiled output and loads the same way from tsx and from dist. Each worker
 * instantiates the kernels module on the shared memory, then loops: wait for the control block's generation to
 * change, claim chunks of the call (claimChunk, see control.ts) until none are left, run each and count it
 * completed.
 */
import { CTRL, claimChunk } from './control.js';

export const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { module, memory, ctrlBuffer, names, spin } = workerData;
const C = ${JSON.stringify(CTRL)};
const claimChunk = ${claimChunk.toString()};
const ctrl = new Int32Array(ctrlBuffer);
const ticket = new BigInt64Array(ctrlBuffer, C.TICKET_BYTE, 1);
const args = new Float64Array(ctrlBuffer, C.ARGS_BYTE, C.MAX_ARGS);
let fns;
try {
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  fns = names.map((n) => inst.exports[n]);
} catch (e) {
  Atomics.store(ctrl, C.ERROR, 1);
}
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
  for (;;) {
    const c = claimChunk(ticket);
    if (c < 0) break;
    // the claim pins the call: its kernel, arguments and bounds stay put until this chunk completes
    const nchunks = Number((Atomics.load(ticket, 0) >> 16n) & 0xffffn);
    try {
      const n = ctrl[C.NARGS];
      const a = [ctrl[C.BOUNDS + c], ctrl[C.BOUNDS + c + 1]];
      for (let i = 0; i < n; i++) a.push(args[i]);
      if (a[0] < a[1]) fns[ctrl[C.FN]].apply(null, a);
    } catch (e) {
      Atomics.store(ctrl, C.ERROR, 1);
    }
    if (Atomics.add(ctrl, C.COMPLETED, 1) + 1 === nchunks) Atomics.notify(ctrl, C.COMPLETED);
  }
}
`;
