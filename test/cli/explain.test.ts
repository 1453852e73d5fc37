import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { ExplainReport } from '../../src/jobs/explain.js';
import { coraMissing, coraRawDir, repoRoot } from '../data/shared-data.js';

const home = mkdtempSync(join(tmpdir(), 'gnnops-explain-cli-'));
const env = { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' };
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
  });

describe('gnnops explain: bad input names the flag', () => {
  for (const [args, re] of [
    [['--nodes', ' , '], /--nodes: give node ids/],
    [['--nodes', '1', '--method', 'lime'], /--method: "lime"; allowed: saliency, gnnexplainer/],
    [['--nodes', '1', '--top-k', '0'], /--top-k/],
    [['--nodes', '1', '--model', 'a@production', '--checkpoint', 'b.safetensors'], /either --model or --checkpoint/],
    [['--nodes', '1', '--checkpoint', './missing.safetensors'], /missing\.safetensors/],
  ] as const) {
    it(args.join(' '), () => {
      const r = cli('explain', ...args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, re);
    });
  }
  it('an empty workspace: no model to explain, and how to get one', () => {
    const r = cli('explain', '--nodes', '1');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /no model to explain: .*gnnops train registers a model/);
  });
});

// Real data: a GCN trained briefly on Cora (one seed, 30 epochs) and registered, explained by reference.
describe('gnnops explain on a registered Cora GCN', { skip: coraMissing }, () => {
  before(() => {
    const t = cli('train', 'data.name=cora', `data.mirror=${coraRawDir}`, 'train.seeds=1', 'train.epochs=30');
    assert.equal(t.status, 0, t.stderr);
  });

  it('--json gives each node’s subgraph, edge and feature importances and fidelity; --out writes one SVG per node', () => {
    const out = join(home, 'svg');
    const r = cli('explain', '--model', 'cora-gcn@production', '--nodes', '1708,2000,2100', '--json', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as ExplainReport;
    assert.equal(j.model_name, 'cora-gcn');
    assert.equal(j.method, 'saliency');
    assert.equal(j.top_k, 5);
    assert.deepEqual(
      j.explanations.map((e) => e.node_id),
      [1708, 2000, 2100],
    );
    for (const e of j.explanations) {
      assert.equal(e.nodes[0], e.node_id);
      assert.equal(e.hops, 2);
      assert.equal(e.feature_importance.length, 1433);
      assert.equal(e.top_edges.length, Math.min(5, e.edges.length));
      assert.ok(e.edges.every((t) => e.nodes.includes(t.source) && e.nodes.includes(t.target)));
    }
    const mean = (k: 'fidelity_plus') => j.explanations.reduce((a, e) => a + e[k], 0) / j.explanations.length;
    assert.ok(Math.abs(j.fidelity_plus - mean('fidelity_plus')) < 1e-12);
    assert.ok(j.fidelity_plus > j.fidelity_random, JSON.stringify(j));
    assert.equal(j.files.length, 3);
    for (const f of j.files) {
      assert.ok(existsSync(f));
      const svg = readFileSync(f, 'utf8');
      assert.match(svg, /^<svg /);
      assert.match(svg, /top features/);
    }
  });

  it('the human table; gnnexplainer by the only production model; a node outside the graph', () => {
    const r = cli('explain', '--nodes', '1708', '--method', 'gnnexplainer', '--top-k', '3');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /cora-gcn\/1 \(gcn\) on cora: gnnexplainer, top 3 edges/);
    assert.match(r.stdout, /mean over 1 node\(s\): fidelity\+/);
    const bad = cli('explain', '--nodes', '99999');
    assert.equal(bad.status, 2);
    assert.match(
      bad.stderr,
      /--nodes: unknown node id "99999": the graph of dataset cora has no ids of its own, its nodes are 0\.\.2707/,
    );
  });
});
