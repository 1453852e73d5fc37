/**
 * A server started on a checkpoint file (no registry version): the dashboard finds the dataset through the
 * checkpoint's recorded data config and projects the checkpoint's hidden layer. Fixture: a GCN trained here for
 * a few epochs on a 300-node graph from the synthetic WikiCS generator (NOT a real dataset), written to a file so
 * that the checkpoint's data.file points at it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveConfig } from '../../../src/config/load.js';
import { loadDataset } from '../../../src/data/load.js';
import { writeSynthetic } from '../../../src/data/synth.js';
import { buildServeApp, type ServeApp } from '../../../src/jobs/serve-app.js';
import { runTraining } from '../../../src/jobs/train-and-register.js';
import { loadPredictor } from '../../../src/serve/native/predictor.js';
import { tempHome } from '../helpers.js';

describe('dashboard on a checkpoint file', () => {
  let s: ServeApp;
  let hidden: number;

  before(async () => {
    const home = tempHome();
    const file = join(home, 'tiny-graph.json');
    writeSynthetic(file, { nodes: 300, features: 6, seed: 5, splits: 1 });
    hidden = 5;
    const config = resolveConfig({
      overrides: [`data.file=${file}`, 'train.splits=1', 'train.epochs=3', `model.hidden=${hidden}`, 'train.threads=1'],
    });
    const graph = await loadDataset(config.data, { progress: false });
    const ckpt = join(home, 'model.safetensors');
    await runTraining({ config, data: graph, checkpointPath: ckpt, track: false, register: false });
    s = await buildServeApp({ model: loadPredictor(ckpt, graph), modelRef: ckpt, defaultMetrics: false });
  });

  after(async () => {
    await s.app.close();
  });

  it('loads the graph from the checkpoint’s data config and projects its hidden layer', async () => {
    const st = await s.app.inject('/api/data/stats');
    assert.equal(st.statusCode, 200, st.body);
    assert.equal(st.json().stats.nodes, 300);
    const p = (await s.app.inject('/api/data/projection')).json();
    assert.equal(p.source, 'hidden');
    assert.equal(p.dims, hidden);
    assert.equal(p.points.length, 300);
    const nb = (await s.app.inject('/api/graph/neighbourhood?node=0&hops=1')).json();
    assert.ok(nb.nodes.every((n: { predicted?: number }) => typeof n.predicted === 'number'));
  });
});
