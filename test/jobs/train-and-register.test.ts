/**
 * A tracked, registered training run records the classification report: macro-F1, ECE before and after the
 * temperature fitted on val, the per-class JSON and the two SVG charts, and the version carries the temperature
 * and a drift reference whose predictions are the served model's.
 * Fixture: a 300-node graph from the synthetic WikiCS generator (NOT a real dataset), small enough to train in a
 * second.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { loadDataset } from '../../src/data/load.js';
import { writeSynthetic } from '../../src/data/synth.js';
import { argmaxRows } from '../../src/engine/index.js';
import { runTraining } from '../../src/jobs/train-and-register.js';
import { confusionMatrix, selectRows } from '../../src/monitor/classification.js';
import { parseProfile } from '../../src/monitor/profile-io.js';
import { Registry, registeredTemperature } from '../../src/registry/index.js';
import { loadPredictor } from '../../src/serve/native/predictor.js';
import { runDetail } from '../../src/track/queries.js';
import { openStore } from '../../src/track/store.js';
import { restoreTask } from '../../src/train/restore.js';

describe('a training run records classification metrics and calibration', () => {
  const home = mkdtempSync(join(tmpdir(), 'gnnops-train-metrics-'));
  const saved = process.env.GNNOPS_HOME;
  after(async () => {
    process.env.GNNOPS_HOME = saved;
    rmSync(home, { recursive: true, force: true });
  });

  it('tracks macro_f1, ece, ece_calibrated, temperature and the report artifacts; the version stores T', async () => {
    process.env.GNNOPS_HOME = home;
    const file = join(home, 'tiny-graph.json');
    writeSynthetic(file, { nodes: 300, features: 8, seed: 3, splits: 1 });
    const config = resolveConfig({
      overrides: [`data.file=${file}`, 'train.splits=1', 'train.epochs=30', 'model.hidden=8', 'train.threads=1'],
    });
    const data = await loadDataset(config.data, { progress: false });
    const r = await runTraining({ config, data });
    assert.ok(r.run_id && r.model_version === 1);

    const c = r.classification;
    assert.ok(c.macro_f1 > 0 && c.macro_f1 <= 1);
    assert.ok(c.ece >= 0 && c.ece <= 1 && c.ece_calibrated >= 0);
    assert.ok(c.temperature > 0);
    assert.ok(c.val_nll_calibrated <= c.val_nll + 1e-12, `val NLL ${c.val_nll} → ${c.val_nll_calibrated}`);
    // The report is the checkpoint's: its confusion is recomputed from the checkpoint's own test logits.
    const back = await restoreTask(r.checkpoint, { data });
    try {
      const logits = back.task.logits();
      const test = selectRows(logits, data.labels, data.numClasses, back.task.rows.test);
      assert.deepEqual(c.confusion, confusionMatrix(test));
      assert.equal(
        c.confusion.flat().reduce((a, b) => a + b, 0),
        back.task.rows.test.length,
      );
      assert.ok(Math.abs(c.accuracy - (back.task.evaluate(['test']).test_acc ?? Number.NaN)) < 1e-9);
    } finally {
      back.dispose();
    }

    const store = await openStore({ home, recover: false });
    try {
      const d = await runDetail(store.sql, store.cas, r.run_id);
      for (const k of ['macro_f1', 'ece', 'ece_calibrated', 'temperature'] as const)
        assert.equal(d.metrics[k]?.value, c[k], k);
      const byName = new Map(d.artifacts.map((a) => [a.name, a]));
      const json = byName.get('classification.json');
      assert.ok(json, `artifacts: ${[...byName.keys()].join(', ')}`);
      const stored = JSON.parse(readFileSync(json.path, 'utf8'));
      assert.deepEqual(stored.confusion, c.confusion);
      assert.equal(stored.per_class.length, data.numClasses);
      for (const svg of ['reliability.svg', 'confusion.svg']) {
        const a = byName.get(svg);
        assert.ok(a && a.kind === 'chart', svg);
        assert.match(readFileSync(a.path, 'utf8'), /^<svg[\s\S]*<\/svg>\s*$/);
      }
      const v = await new Registry(store).getVersion(r.model_name, 1);
      assert.equal(registeredTemperature(v), c.temperature);
      // A version registered without a temperature has none (it is served uncalibrated).
      assert.equal(registeredTemperature({ metrics: { test_acc_mean: 0.8 } }), null);
      assert.equal(v.metrics.macro_f1, c.macro_f1);
      // The drift reference's predictions come from the weights in memory; they are the served model's.
      assert.ok(v.referenceProfileDigest);
      const profile = parseProfile(store.cas.read(v.referenceProfileDigest).toString('utf8'));
      const predictor = loadPredictor(r.checkpoint, data);
      const all = Int32Array.from({ length: data.numNodes }, (_, i) => i);
      const served = argmaxRows(predictor.predictNodes(all), data.numNodes, data.numClasses);
      predictor.close?.();
      const counts = new Array<number>(data.numClasses).fill(0);
      for (const k of served) counts[k]++;
      assert.deepEqual(profile.predictions?.counts, counts);
    } finally {
      await store.close();
    }
  });
});
