import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import cliProgress from 'cli-progress';
import { phasedProgress } from '../../src/cli/output.js';

test('phasedProgress restarts the bar with each phase and its own total', () => {
  // A real bar on a non-terminal stream with noTTYOutput, so its state can be read back after each call.
  const stream = Object.assign(new PassThrough(), { isTTY: false });
  const bar = new cliProgress.SingleBar({
    stream: stream as unknown as NodeJS.WritableStream,
    noTTYOutput: true,
    format: '{phase} {value}/{total}',
  });
  const starts: { phase: string; total: number }[] = [];
  const start = bar.start.bind(bar);
  bar.start = (total, value, payload) => {
    starts.push({ phase: String((payload as { phase: string }).phase), total });
    start(total, value, payload);
  };
  const progress = phasedProgress(bar);
  progress('parse', 0, 10);
  progress('parse', 7, 10);
  assert.equal(bar.getProgress(), 0.7);
  progress('write', 1, 4);
  assert.deepEqual(starts, [
    { phase: 'parse', total: 10 },
    { phase: 'write', total: 4 },
  ]);
  assert.equal(bar.getTotal(), 4);
  assert.equal(bar.getProgress(), 0.25);
  bar.stop();
});

test('phasedProgress without a bar (--json, no terminal) does nothing', () => {
  const progress = phasedProgress(null);
  assert.doesNotThrow(() => progress('parse', 1, 2));
});
