/**
 * The dashboard end to end in a real browser: playwright-core drives Debian's chromium against a server on a
 * free loopback port, serving a GCN trained here on a small synthetic graph (see workspace.ts), with real
 * tracked runs, a real sweep, real registry versions and real logged traffic. Every page is visited and checked
 * for content computed independently in this test; a promotion is made through the UI. Screenshots go to
 * test-artifacts/web/. Skips only when /usr/bin/chromium is missing (CI installs it in .ci/run).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { type RunningServer, startServer } from '../../src/jobs/serve-server.js';
import { makeRequestSampler, simulateTraffic } from '../../src/monitor/simulate.js';
import { ensureWebBuild, launchBrowser, noChromium, shotsDir } from './browser.js';
import { makeWorkspace, WIKICS_CLASSES, type Workspace } from './workspace.js';

const ADMIN_KEY = 'e2e-admin-key';
const shots = shotsDir;

describe('dashboard in a real browser (chromium)', { skip: noChromium, timeout: 240_000 }, () => {
  let home: string;
  let ws: Workspace;
  let server: RunningServer;
  let ctx: BrowserContext;
  let page: Page;
  let pageErrors: string[] = [];
  let external: string[] = [];
  // waitForFunction predicates are given as source text: they run in the page, where the DOM is (this file is
  // type-checked without the DOM library).

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const open = async (hash: string) => {
    await page.goto(`${server.url}/#/${hash}`);
    await page.waitForSelector(`main#page-${hash.split('?')[0]}`);
  };
  const text = async (sel: string) => (await page.waitForSelector(sel, { timeout: 20_000 })).textContent();

  before(async () => {
    ensureWebBuild();
    mkdirSync(shots, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'gnnops-web-'));
    ws = await makeWorkspace(home);
    server = await startServer({
      home,
      config: { port: 0, host: '127.0.0.1', model: `${ws.modelName}@production`, reload_poll_s: 1, log_flush_ms: 50 },
      loader: ws.serveLoader,
      apiKey: ADMIN_KEY,
      handleSignals: false,
    });
    // Traffic for the overview and drift pages: clean ego subgraphs, then the same with shifted features.
    for (const shift of [0, 1.5]) {
      const next = makeRequestSampler(ws.graph, { shift, fraction: 0.8, maxNodes: 30, seed: 3 });
      const r = await simulateTraffic(next, { url: server.url, requests: 120, concurrency: 4 });
      assert.equal(r.ok, 120, `traffic: ${JSON.stringify(r.statuses)}`);
    }
    // the request log is written by a worker thread: wait until the rows are in
    for (let i = 0; i < 100 && (server.requestLog?.written ?? 0) < 240; i++)
      await new Promise((r) => setTimeout(r, 50));
    const b = await launchBrowser(home, server.url);
    ctx = b.ctx;
    page = b.page;
    pageErrors = b.pageErrors;
    external = b.external;
  });

  after(async () => {
    await ctx?.close();
    await server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('Overview: the served model, its accuracy and the traffic sent', async () => {
    await open('overview');
    assert.equal(await text('#served-model'), ws.modelName);
    assert.equal(await text('#served-version'), `v${ws.production}`);
    assert.match((await text('#served-accuracy')) ?? '', /^\d+\.\d%$/);
    await page.waitForFunction(
      "Number(document.querySelector('#traffic-total')?.textContent?.replace(/,/g, '')) >= 240",
    );
    assert.match((await text('#promotions')) ?? '', /auto-promote/);
    // half the traffic was shifted: the overview's own drift check reports it
    assert.equal(await text('#overview-drift'), 'drifting');
    await shot('overview');
  });

  it('Experiments: the run count, curves of a run, a comparison and the sweep', async () => {
    await open('experiments');
    await page.waitForSelector('#run-count');
    assert.equal(await page.getAttribute('#run-count', 'data-count'), String(ws.runs));
    await page.fill('#run-filter', ws.sweepId);
    await page.waitForFunction("document.querySelector('#run-count')?.getAttribute('data-count') === '3'");
    await page.fill('#run-filter', '');
    await page.click('#runs tbody tr:first-child button.run-link');
    await page.waitForSelector('#run-curves svg path[stroke]');
    const curves = await page.$$eval(
      '#run-curves svg path[stroke]',
      (ps) => ps.filter((p) => (p.getAttribute('d') ?? '').length > 20).length,
    );
    assert.ok(curves >= 4, `expected loss and accuracy curves, got ${curves} paths`);
    // the checkpoint's classification report: one row per class, the reliability diagram and the confusion matrix
    await page.waitForSelector('#run-classification #per-class tbody tr');
    const runId = await page.textContent('#run-detail dl.kv dd code');
    const cls = (await (await fetch(`${server.url}/api/runs/${runId}/classification`)).json()) as {
      report: { macro_f1: number; per_class: unknown[] };
    };
    assert.equal((await page.$$('#per-class tbody tr')).length, WIKICS_CLASSES.length);
    assert.equal(cls.report.per_class.length, WIKICS_CLASSES.length);
    assert.equal(await text('#macro-f1'), cls.report.macro_f1.toFixed(3));
    assert.deepEqual(await page.$$eval('.run-chart', (cs) => cs.map((c) => c.getAttribute('data-name'))), [
      'confusion.svg',
      'reliability.svg',
    ]);
    assert.equal((await page.$$('.run-chart svg')).length, 2);
    const boxes = await page.$$('#runs tbody input[type=checkbox]');
    await boxes[0].check();
    await boxes[1].check();
    await page.click('#compare-btn');
    await page.waitForSelector('#compare-curves svg');
    assert.match((await text('#param-diff')) ?? '', /model\.hidden/);
    await page.click('#sweeps tbody tr');
    await page.waitForSelector('#trials tbody tr');
    assert.equal((await page.$$('#trials tbody tr')).length, 3);
    await page.waitForSelector('#parallel-coords svg');
    await shot('experiments');
  });

  it('Predict: a known node’s prediction, its neighbourhood graph, title search and a pasted subgraph', async () => {
    const node = 5;
    const model = await ws.serveLoader(`${ws.modelName}@production`);
    const p = await model.predictNodes(Int32Array.of(node));
    const best = [...p].indexOf(Math.max(...p));
    await open(`predict?node=${node}`);
    assert.equal(await text('#predicted-label'), WIKICS_CLASSES[best]);
    assert.equal(await text('#true-label'), WIKICS_CLASSES[ws.graph.labels[node]]);
    await page.waitForSelector('.graph canvas');
    const drawn = Number(await page.getAttribute('.graph', 'data-nodes'));
    const degree = ws.graph.indptr[node + 1] - ws.graph.indptr[node];
    assert.ok(drawn > degree && drawn <= 120, `neighbourhood of ${drawn} nodes (degree ${degree}, cap 120)`);
    await shot('predict');

    await page.fill('#node-query', 'Synthetic article 12');
    await page.click('#node-go');
    assert.match((await text('#search-hits')) ?? '', /Synthetic article 12/);
    await page.click('#search-hits a >> text="Synthetic article 12"');
    await page.waitForFunction("location.hash === '#/predict?node=12'");

    const F = ws.graph.numFeatures;
    const x = [0, 1, 2].map((i) => Array.from(ws.graph.features.subarray(i * F, (i + 1) * F)));
    await page.fill(
      '#subgraph-json',
      JSON.stringify({
        x,
        edge_index: [
          [0, 1, 2],
          [1, 2, 0],
        ],
      }),
    );
    await page.click('#subgraph-go');
    assert.equal((await page.waitForSelector('#subgraph-result')) !== null, true);
    assert.equal((await page.$$('#subgraph-result tbody tr')).length, 3);
    await page.waitForSelector('#subgraph-result .graph canvas');
    await shot('predict-subgraph');

    // an error state: a node outside the graph is answered with the server's message, not a blank page
    await open(`predict?node=${ws.graph.numNodes + 5}`);
    await page.waitForFunction("document.querySelectorAll('.error').length === 2");
    const main = (await page.textContent('main')) ?? '';
    assert.match(main, new RegExp(`Error 422: node_ids\\[0\\]: unknown node id "${ws.graph.numNodes + 5}"`)); // POST /v1/predict/nodes
    assert.match(main, /Error 404: node: unknown node id "305": .* its nodes are 0\.\.299/); // the neighbourhood
  });

  it('Data: dataset statistics and the embedding projection', async () => {
    await open('data');
    assert.equal(await text('#stat-nodes'), String(ws.graph.numNodes));
    await page.waitForSelector('#projection canvas');
    // the trained checkpoint's hidden layer (model.hidden of the served version)
    assert.match((await text('#projection')) ?? '', /last hidden layer \((8|16)-d\)/);
    await shot('data');
  });

  it('Drift: the report table, a feature drill-down and drift share over time', async () => {
    await open('drift');
    await page.waitForSelector('#drift-table tbody tr');
    assert.ok((await page.$$('#drift-table tbody tr')).length >= 10);
    assert.equal(await text('#drift-status'), 'DRIFT'); // 80% of the features shifted by 1.5 std in half the window
    await page.click('#drift-table tbody tr:nth-child(3)');
    await page.waitForSelector('#drill-down svg rect');
    await page.waitForSelector('#drift-history svg path');

    // the label-free estimate: the numbers the route gives, a line per series, the test accuracy as a reference line
    await page.waitForSelector('#drift-accuracy svg path');
    const api = (await (await fetch(`${server.url}/api/drift/accuracy?window=5000&windows=12`)).json()) as {
      available: boolean;
      points: unknown[];
      latest: { estimated: number; test_accuracy: number | null; calibration: string };
    };
    assert.equal(api.available, true);
    assert.equal(api.points.length, 12);
    assert.equal(api.latest.calibration, 'calibrated');
    assert.equal(typeof api.latest.test_accuracy, 'number');
    const stats = (await text('#drift-accuracy .stats')) ?? '';
    assert.ok(stats.includes(`${(api.latest.estimated * 100).toFixed(1)}%`), stats);
    assert.ok(stats.includes(`${((api.latest.test_accuracy ?? 0) * 100).toFixed(1)}%`), stats);
    assert.equal((await page.$$('#drift-accuracy svg path')).length, 3, 'estimate and both interval ends');
    assert.ok(await page.$('#drift-accuracy svg line.threshold'), 'the test accuracy line');
    assert.match((await text('#drift-accuracy figcaption')) ?? '', /estimated accuracy/);
    await shot('drift');
  });

  it('Registry: a promotion through the UI moves the alias and the server swaps to it', async () => {
    const from = ws.production;
    const to = from === 1 ? 2 : 1;
    const button = `#versions tbody tr[data-version="${to}"] button.promote`;
    await open('registry');
    await page.waitForSelector(button);
    await page.fill('#admin-key', 'wrong-key');
    await page.click(button);
    assert.match((await text('.error')) ?? '', /401/);
    await page.fill('#admin-key', ADMIN_KEY);
    await page.click(button);
    assert.match((await text('#alias-result')) ?? '', new RegExp(`v${from} → v${to}.*serves ${ws.modelName} v${to}`));
    assert.match((await text('#audit')) ?? '', /promote.*dashboard/s);
    const served = (await (await fetch(`${server.url}/v1/models`)).json()) as { models: { version: string }[] };
    assert.equal(served.models[0].version, String(to));
    await shot('registry');
    await open('overview');
    await page.waitForFunction(`document.querySelector('#served-version')?.textContent === 'v${to}'`);

    // and back: a rollback through the UI restores the previous version
    await open('registry');
    await page.click('#rollback-btn');
    assert.match((await text('#alias-result')) ?? '', new RegExp(`v${to} → v${from}.*serves ${ws.modelName} v${from}`));
    assert.match((await text('#audit')) ?? '', /rollback/);

    // the lineage links to the run that produced the version
    await page.click(`#versions tbody tr[data-version="${from}"] .lineage a`);
    await page.waitForSelector('#run-detail');
    assert.match((await text('#run-detail')) ?? '', new RegExp(`${ws.modelName} v${from}`));
  });

  it('no page fetched anything from another host (offline-ready)', () => {
    assert.deepEqual(external, []);
  });

  it('no page logged a script error or a server error', () => {
    // 4xx answers were provoked on purpose above (wrong key, unknown node) and checked as visible error boxes
    assert.deepEqual(
      pageErrors.filter((e) => !/status of 4\d\d/.test(e)),
      [],
    );
  });
});
