import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driftSnapshot, windowFromRequestLog } from '../../src/monitor/drift-check.js';
import { computeProfile } from '../../src/monitor/profile.js';
import { applyDrift, sampleRows, syntheticWindow } from '../../src/monitor/synthetic.js';
import type { RequestLogEntry } from '../../src/request-log/types.js';
import type { DriftCheck } from '../../src/serve/drift-loop.js';

const cols = 6;
const ref = syntheticWindow({ rows: 4000, cols, seed: 1 });
const profile = computeProfile(ref.features, ref.rows, ref.cols, {
  predictions: ref.predictions,
  numClasses: 10,
  degrees: ref.degrees,
});

/** Request-log rows as the server writes them: one subgraph request per 5 nodes, features sampled on even ones. */
function entries(w: ReturnType<typeof sampleRows>): RequestLogEntry[] {
  const out: RequestLogEntry[] = [];
  for (let r = 0, i = 0; r + 5 <= w.rows; r += 5, i++) {
    out.push({
      ts: 1_700_000_000_000 + i,
      requestId: `r${i}`,
      item: 0,
      route: '/predict',
      model: 'gcn',
      version: '1',
      kind: 'subgraph',
      numNodes: 5,
      numEdges: 8,
      numFeatures: cols,
      meanDegree: 3,
      maxDegree: 5,
      features: i % 2 === 0 ? w.features.slice(r * cols, (r + 5) * cols) : null,
      nodeIds: null,
      degrees: w.degrees.slice(r, r + 5),
      predictions: w.predictions.slice(r, r + 5),
      confidence: new Float32Array(5),
      temperature: 1,
      inferenceMs: 1,
    });
  }
  return out;
}

describe('request-log glue', () => {
  it('builds a window from sampled feature rows, with predictions, degrees and subgraph sizes of every request', () => {
    const w = sampleRows(ref, 100, 3);
    const win = windowFromRequestLog(entries(w), cols);
    assert.equal(win.rows, 50); // 10 of 20 requests carried features, 5 nodes each
    assert.deepEqual(Array.from(win.features.subarray(0, cols)), Array.from(w.features.subarray(0, cols)));
    assert.equal(win.predictions?.length, 100);
    assert.equal(win.degrees?.length, 100);
    assert.deepEqual(win.subgraphSizes, new Array(20).fill(5));
  });

  it('gives the gauge values the server exports: quiet on clean traffic, loud on drifted traffic', async () => {
    const clean = driftSnapshot(profile, windowFromRequestLog(entries(sampleRows(ref, 3000, 4)), cols));
    assert.equal(clean.driftShare, 0);
    assert.ok(clean.predictionDriftScore < 0.1);
    const drifted = applyDrift(sampleRows(ref, 3000, 5), { shift: 0.5, classMix: 0.5, toClass: 3 });
    // Typed as the server's DriftLoop check: the snapshot must plug into it unchanged (checked by tsc).
    const run = async () => driftSnapshot(profile, windowFromRequestLog(entries(drifted), cols));
    const check: DriftCheck = run;
    assert.equal(check, run);
    const snap = await run();
    assert.equal(snap.driftShare, 1);
    assert.equal(snap.driftedFeatures, cols);
    assert.ok(snap.predictionDriftScore >= 0.1);
    assert.equal(snap.drifted, true);
  });
});
