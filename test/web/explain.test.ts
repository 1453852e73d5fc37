/**
 * The Predict page's Explain action in a real browser (see browser.ts), on a GCN trained here on the real Cora
 * (cora-workspace.ts): the page's POST /v1/explain/nodes answer is captured, and the drawn computation subgraph
 * (edge count, each edge's width as cytoscape computed it, the centred node), the top features and the fidelity
 * figures are checked against that JSON. Skips when chromium or ../shared's Cora is missing.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startServer } from '../../src/jobs/serve-server.js';
import type { ExplainResponse } from '../../src/serve/schemas/explain.js';
import { coraMissing } from '../data/shared-data.js';
import { type Browser, ensureWebBuild, launchBrowser, noChromium, shotsDir } from './browser.js';
import { type CoraWorkspace, makeCoraWorkspace } from './cora-workspace.js';

type Explanation = ExplainResponse['explanations'][number];

/** The widths the page promises (edge width by |importance| relative to the largest), computed here from the JSON. */
function expectedWidths(e: Explanation): number[] {
  const maxAbs = Math.max(...e.edges.map((t) => Math.abs(t.importance)));
  return e.edges.map((t) => 0.5 + (6 * Math.abs(t.importance)) / maxAbs);
}

describe('Predict page: Explain draws the explanation (chromium, real Cora)', {
  skip: noChromium || coraMissing,
  timeout: 300_000,
}, () => {
  let home: string;
  let ws: CoraWorkspace;
  let server: RunningServer;
  let b: Browser;
  let node = -1;

  before(async () => {
    ensureWebBuild();
    mkdirSync(shotsDir, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'gnnops-web-explain-'));
    ws = await makeCoraWorkspace(home);
    server = await startServer({
      home,
      config: { port: 0, host: '127.0.0.1', model: `${ws.modelName}@production`, log_requests: false },
      loader: ws.serveLoader,
      dashboard: { home, loadGraph: async () => ws.graph },
      handleSignals: false,
    });
    // a test node with a few neighbours: a 2-hop subgraph of tens of edges, small enough to read in a screenshot
    const g = ws.graph;
    for (let v = 0; v < g.numNodes && node < 0; v++) {
      const deg = g.indptr[v + 1] - g.indptr[v];
      if (g.testMask[v] && deg >= 3 && deg <= 5) node = v;
    }
    b = await launchBrowser(home, server.url);
  });

  after(async () => {
    await b?.ctx.close();
    await server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const explain = async (): Promise<Explanation> => {
    const answer = b.page.waitForResponse(
      (r) => r.url().endsWith('/v1/explain/nodes') && r.request().method() === 'POST',
    );
    await b.page.click('#explain-go');
    const r = await answer;
    assert.equal(r.status(), 200);
    const j = (await r.json()) as ExplainResponse;
    assert.equal(j.explanations.length, 1);
    await b.page.waitForSelector('#explain-graph .graph[data-edge-widths]');
    return j.explanations[0];
  };

  const checkDrawing = async (e: Explanation) => {
    const g = await b.page.waitForSelector('#explain-graph .graph');
    assert.equal(Number(await g.getAttribute('data-edges')), e.edges.length);
    assert.equal(Number(await g.getAttribute('data-nodes')), e.nodes.length);
    assert.equal(Number(await g.getAttribute('data-center')), node, 'the explained node is the centre');
    const drawn = ((await g.getAttribute('data-edge-widths')) ?? '').split(',').map(Number);
    assert.equal(drawn.length, e.edges.length, 'one drawn edge per edge of the answer');
    const want = expectedWidths(e);
    for (let k = 0; k < want.length; k++)
      assert.ok(Math.abs(drawn[k] - want[k]) < 1e-6, `edge ${k}: drawn ${drawn[k]}, want ${want[k]}`);
    // the top-k edges are drawn at least as wide as every other edge
    const top = new Set(e.top_edges.map((t) => `${t.source}>${t.target}`));
    const topMin = Math.min(...e.edges.flatMap((t, k) => (top.has(`${t.source}>${t.target}`) ? [drawn[k]] : [])));
    const restMax = Math.max(0, ...e.edges.flatMap((t, k) => (top.has(`${t.source}>${t.target}`) ? [] : [drawn[k]])));
    assert.ok(topMin >= restMax, `top-k narrowest ${topMin} vs the rest's widest ${restMax}`);
    assert.ok(Math.max(...drawn) > Math.min(...drawn), 'widths vary with importance');

    const cells = await b.page.locator('#top-features tbody td').allTextContents();
    const rows = e.top_features.map((_, i) => cells.slice(2 * i, 2 * i + 2));
    assert.equal(cells.length, 2 * e.top_features.length);
    assert.deepEqual(
      rows,
      e.top_features.map((f) => [`#${f.feature}`, f.importance.toPrecision(3)]),
    );
    assert.equal((await b.page.$$('#top-edges tbody tr')).length, e.top_edges.length);
    assert.equal(await b.page.textContent('#fidelity-plus'), e.fidelity_plus.toFixed(3));
    assert.equal(await b.page.textContent('#fidelity-minus'), e.fidelity_minus.toFixed(3));
    assert.equal(await b.page.textContent('#fidelity-random'), e.fidelity_random.toFixed(3));
  };

  it('saliency (the default): edges drawn by importance, top features and fidelity from the route’s answer', async () => {
    assert.ok(node >= 0, 'a test node with 3–5 neighbours');
    await b.page.goto(`${server.url}/#/predict?node=${node}`);
    await b.page.waitForSelector('#predicted-label');
    const e = await explain();
    assert.equal(e.method, 'saliency');
    assert.equal(e.node_id, node);
    assert.equal(e.top_edges.length, Math.min(5, e.edges.length));
    assert.equal(e.top_features.length, 10); // the ten features of largest |importance|
    await checkDrawing(e);
    assert.match((await b.page.textContent('#explain-summary')) ?? '', new RegExp(`${e.edges.length} edges`));
    await b.page.screenshot({ path: join(shotsDir, 'predict-explain.png'), fullPage: true });
  });

  it('GNNExplainer with top-k 3: the choice reaches the route and the drawing follows the new answer', async () => {
    await b.page.selectOption('#explain-method', 'gnnexplainer');
    await b.page.fill('#explain-top-k', '3');
    const e = await explain();
    assert.equal(e.method, 'gnnexplainer');
    assert.equal(e.top_edges.length, Math.min(3, e.edges.length));
    await checkDrawing(e);
  });

  it('no script or server errors, nothing fetched from another host', () => {
    assert.deepEqual(b.pageErrors, []);
    assert.deepEqual(b.external, []);
  });
});
