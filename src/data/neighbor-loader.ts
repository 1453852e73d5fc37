/**
 * Mini-batches of sampled blocks, like PyG's NeighborLoader: each epoch shuffles the seed nodes, cuts them into
 * batches and samples every batch's blocks (sampler.ts).
 *
 * With `workers` > 0 the sampling runs on that many threads ahead of the compute: batch b goes to thread b mod W, and
 * at most `prefetch` batches per thread are in flight, so the queue is bounded. The training loop stays synchronous:
 * it takes a finished batch with receiveMessageOnPort and, when none is there yet, sleeps in Atomics.wait on the
 * thread's slot of a shared counter that the thread bumps after each post. The graph is shared with the threads
 * (SharedArrayBuffer; copied once if it is not shared already), never duplicated per thread. With `workers` = 0 the
 * loader samples on the calling thread, for tests and tiny graphs. Both give the same batches for the same seed.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { moduleWorker } from '../util/worker.js';
import { batchSeed, epochBatches, NeighborSampler, type SampledBatch, type SamplerGraph } from './sampler.js';
import type { SampleJob, SampleReply, SamplerWorkerData } from './sampler-worker.js';

export interface NeighborLoaderOptions {
  graph: SamplerGraph;
  /** Per hop from the seeds (PyG's num_neighbors order); -1 = all neighbours. */
  fanouts: readonly number[];
  batchSize: number;
  seed?: number;
  /** Sampling threads; 0 samples on the caller's thread. */
  workers: number;
  /** Batches in flight per thread (default 2). */
  prefetch?: number;
  /** Shuffle the seeds every epoch (default true; evaluation passes use false). */
  shuffle?: boolean;
}

/** How long the training thread waits for one batch before it declares the sampling thread dead. */
const BATCH_TIMEOUT_MS = 120_000;

interface Lane {
  worker: Worker;
  port: MessagePort;
}

export class NeighborLoader {
  readonly fanouts: readonly number[];
  readonly batchSize: number;
  readonly seed: number;
  readonly workers: number;
  readonly prefetch: number;
  readonly shuffle: boolean;
  readonly #graph: SamplerGraph;
  #local: NeighborSampler | null = null;
  #lanes: Lane[] = [];
  #ready: Int32Array | null = null;
  /** Set while an epoch's generator is running on threads (one epoch at a time). */
  #busy = false;

  constructor(o: NeighborLoaderOptions) {
    if (!(o.batchSize >= 1)) throw new RangeError(`batch size ${o.batchSize}: expected ≥ 1`);
    this.fanouts = [...o.fanouts];
    this.batchSize = o.batchSize;
    this.seed = o.seed ?? 0;
    this.workers = o.workers;
    this.prefetch = Math.max(1, o.prefetch ?? 2);
    this.shuffle = o.shuffle ?? true;
    this.#graph = o.graph;
    // Validates the fanouts on the caller's thread, where the error is readable.
    if (o.workers === 0) this.#local = new NeighborSampler(o.graph, this.fanouts);
    else new NeighborSampler({ numNodes: 0, indptr: new Int32Array(1), indices: new Int32Array(0) }, this.fanouts);
  }

  /** The batches of `epoch` over `seeds`, in order; `seed` (default the loader's) fixes the shuffle and the draws. */
  *epoch(seeds: Int32Array, epoch: number, seed = this.seed): Generator<SampledBatch> {
    const parts = epochBatches(seeds, this.batchSize, { seed, epoch, shuffle: this.shuffle });
    const rngSeed = (b: number) => batchSeed(seed, epoch, b);
    if (this.workers === 0) {
      const s = this.#local as NeighborSampler;
      for (let b = 0; b < parts.length; b++) yield s.sample(parts[b], rngSeed(b));
      return;
    }
    if (this.#busy) throw new Error('NeighborLoader: one epoch at a time');
    this.#busy = true;
    const lanes = this.#start();
    const w = lanes.length;
    let posted = 0;
    const post = (): void => {
      const b = posted++;
      const job: SampleJob = { batch: b, seeds: Int32Array.from(parts[b]), rngSeed: rngSeed(b) };
      lanes[b % w].port.postMessage(job, [job.seeds.buffer as ArrayBuffer]);
    };
    try {
      while (posted < parts.length && posted < w * this.prefetch) post();
      for (let b = 0; b < parts.length; b++) {
        const r = this.#take(b % w, b);
        if (posted < parts.length) post();
        yield r;
      }
    } finally {
      // An abandoned epoch leaves batches in flight: drain them so the next epoch starts from clean ports.
      for (let b = this.#consumed; b < posted; b++) this.#take(b % w, b);
      this.#consumed = 0;
      this.#busy = false;
    }
  }

  #consumed = 0;

  /** The next reply on lane `slot`, which must be batch `b`. */
  #take(slot: number, b: number): SampledBatch {
    const ready = this.#ready as Int32Array;
    const port = this.#lanes[slot].port;
    const deadline = performance.now() + BATCH_TIMEOUT_MS;
    for (;;) {
      const seen = Atomics.load(ready, slot);
      const m = receiveMessageOnPort(port);
      if (m) {
        const r = m.message as SampleReply;
        this.#consumed = b + 1;
        if (r.batch !== b) throw new Error(`NeighborLoader: expected batch ${b}, thread sent ${r.batch}`);
        if ('error' in r) {
          throw new GnnopsError(ErrorCodes.INTERNAL, `sampling batch ${b} failed on its thread: ${r.error}`);
        }
        return r.result;
      }
      if (performance.now() > deadline) {
        throw new GnnopsError(ErrorCodes.INTERNAL, `sampling thread ${slot} sent nothing for batch ${b} in 120 s`);
      }
      Atomics.wait(ready, slot, seen, 1000);
    }
  }

  #start(): Lane[] {
    if (this.#lanes.length > 0) return this.#lanes;
    const g = this.#graph;
    const indptr = shared(g.indptr);
    const indices = shared(g.indices);
    this.#ready = new Int32Array(new SharedArrayBuffer(4 * this.workers));
    for (let slot = 0; slot < this.workers; slot++) {
      const { port1, port2 } = new MessageChannel();
      const data: SamplerWorkerData = {
        numNodes: g.numNodes,
        indptr,
        indices,
        fanouts: [...this.fanouts],
        port: port2,
        ready: this.#ready,
        slot,
      };
      const worker = moduleWorker('sampler-worker', import.meta.url, data, [port2]);
      worker.unref();
      this.#lanes.push({ worker, port: port1 });
    }
    return this.#lanes;
  }

  /** Stops the sampling threads (the loader can start them again). */
  async close(): Promise<void> {
    const lanes = this.#lanes;
    this.#lanes = [];
    await Promise.all(
      lanes.map(async ({ worker, port }) => {
        port.close();
        // Sampling threads hold nothing worth flushing, so they are stopped rather than asked.
        await worker.terminate();
      }),
    );
  }
}

/** The array itself when it is already shared memory, else one shared copy. */
function shared(a: Int32Array): Int32Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const s = new Int32Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}
