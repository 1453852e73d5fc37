/**
 * A sampling thread of the NeighborLoader (neighbor-loader.ts). It reads the graph from shared memory, samples the
 * batches it is sent in order, and posts each one on its port with the block arrays transferred, then bumps its slot
 * of the shared `ready` counter so that the training thread, blocked in Atomics.wait, wakes up.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { NeighborSampler, type SampledBatch } from './sampler.js';

export interface SamplerWorkerData {
  numNodes: number;
  indptr: Int32Array;
  indices: Int32Array;
  fanouts: number[];
  port: MessagePort;
  ready: Int32Array;
  slot: number;
}

export interface SampleJob {
  batch: number;
  seeds: Int32Array;
  rngSeed: number;
}

export type SampleReply = { batch: number; result: SampledBatch } | { batch: number; error: string };

const d = workerData as SamplerWorkerData;
const sampler = new NeighborSampler({ numNodes: d.numNodes, indptr: d.indptr, indices: d.indices }, d.fanouts);

function reply(m: SampleReply, transfer: ArrayBuffer[]): void {
  d.port.postMessage(m, transfer);
  Atomics.add(d.ready, d.slot, 1);
  Atomics.notify(d.ready, d.slot);
}

d.port.on('message', (job: SampleJob) => {
  try {
    const r = sampler.sample(job.seeds, job.rngSeed);
    const transfer: ArrayBuffer[] = [r.seeds.buffer as ArrayBuffer, r.nodes.buffer as ArrayBuffer];
    for (const b of r.blocks) transfer.push(b.indptr.buffer as ArrayBuffer, b.indices.buffer as ArrayBuffer);
    reply({ batch: job.batch, result: r }, transfer);
  } catch (e) {
    reply({ batch: job.batch, error: e instanceof Error ? e.message : String(e) }, []);
  }
});
