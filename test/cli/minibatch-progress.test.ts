/** What a mini-batch run writes to stderr when stderr is a log (not a terminal), and that --json writes nothing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MiniBatchProgress } from '../../src/cli/minibatch-progress.js';
import type { BatchProgress, EpochMetrics } from '../../src/train/trainer.js';

const batch = (b: number, elapsedS: number): BatchProgress => ({
  epoch: 0,
  batch: b,
  batches: 4,
  elapsed_ms: elapsedS * 1000,
  edges_total: b * 15_000,
  loss: 1.5,
  acc: 0.5,
  seeds: 1024,
  edges: 15_000,
});

const epoch: EpochMetrics = {
  epoch: 0,
  train_loss: 1.25,
  train_acc: 0.6,
  val_loss: 1.3,
  val_acc: 0.5525,
  stopping_loss: 1.3,
  stopping_acc: 0.5525,
  epoch_ms: 200_000,
  batches: 4,
  sampled_edges: 60_000,
  sample_wait_ms: 12_000,
};

function run(json: boolean): string[] {
  const out: string[] = [];
  const p = new MiniBatchProgress(json, false, (s) => out.push(s));
  p.batching({ batchSize: 1024, fanouts: [15, 10], workers: 1, inferenceChunk: 8192, auto: 'the graph is large' });
  p.runStart('1/1');
  // Batches at 10 s, 70 s, 100 s and 150 s: one line on the way (the first past a minute), then the epoch's.
  for (const [b, t] of [
    [1, 10],
    [2, 70],
    [3, 100],
    [4, 150],
  ])
    p.batch(batch(b, t));
  p.epoch(epoch);
  return out.join('').trimEnd().split('\n');
}

describe('mini-batch progress in a log', () => {
  it('writes the batching, a line a minute within a long epoch and one line per epoch with the throughput', () => {
    assert.deepEqual(run(false), [
      'mini-batch training: batch 1024, fanouts 15,10, 1 sampling thread(s); evaluation by layer-wise inference in chunks of 8192',
      '  because the graph is large',
      'split 1/1 epoch 1: 2/4 batches after 70 s (0.03 batches/s, 429 sampled edges/s)',
      // 4 batches in 150 s; 12 s of it waiting for the sampler (8%); evaluation = 200 s − 150 s.
      'split 1/1 epoch 1: 4 batches in 150.0 s (0.03 batches/s, 400 sampled edges/s, 8.0% waiting for samples); evaluation 50.0 s; train loss 1.2500, val acc 55.25%',
    ]);
  });

  it('writes nothing under --json', () => {
    assert.deepEqual(run(true), ['']);
  });
});
