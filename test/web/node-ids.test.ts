/**
 * The Predict page on a dataset imported with string node ids, in a real browser (see browser.ts): a node opened
 * by its id in the address, found by typing its id, and explained, is asked for and shown by that id everywhere
 * (the prediction request and card, the neighbourhood's centre, the explanation's edge table); an unknown id shows
 * the server's message. Fixture: the importer tests' planted CSV graph (generated, NOT a real dataset: 90 nodes
 * with non-numeric ids, test/data/import-fixtures.ts) imported through importDataset and trained briefly with the
 * real pipeline. Skips when chromium is missing.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import type { GraphData } from '../../src/data/graph.js';
import { importDataset } from '../../src/data/import/index.js';
import { loadDataset } from '../../src/data/load.js';
import { type RunningServer, startServer } from '../../src/jobs/serve-server.js';
import { runTraining } from '../../src/jobs/train-and-register.js';
import { Registry } from '../../src/registry/index.js';
import type { ServedModel } from '../../src/serve/model.js';
import { loadPredictor } from '../../src/serve/native/predictor.js';
import type { NodesResponse } from '../../src/serve/schemas/nodes.js';
import { openStore } from '../../src/track/index.js';
import { nodeId, planted, writeCsv } from '../data/import-fixtures.js';
import { type Browser, ensureWebBuild, launchBrowser, noChromium, shotsDir } from './browser.js';

describe('Predict page by string node id (chromium, imported CSV graph)', {
  skip: noChromium,
  timeout: 300_000,
}, () => {
  let home: string;
  let graph: GraphData;
  let server: RunningServer;
  let b: Browser;

  before(async () => {
    ensureWebBuild();
    mkdirSync(shotsDir, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'gnnops-web-ids-'));
    process.env.GNNOPS_HOME = home;
    const input = join(home, 'input');
    writeCsv(input, planted(90, 3, 4));
    await importDataset('csv', input, { name: 'papers', undirected: true });
    const config = resolveConfig({
      overrides: ['data.name=papers', 'train.splits=1', 'train.epochs=30', 'train.threads=1'],
    });
    graph = await loadDataset(config.data, { progress: false });
    assert.equal(graph.nodeIds?.[7], nodeId(7));
    const r = await runTraining({ config, data: graph, runName: 'papers-gcn' });
    const loader = async (ref: string): Promise<ServedModel> => {
      const s = await openStore({ home, recover: false });
      try {
        const v = await new Registry(s).resolve(ref);
        return loadPredictor(v.checkpointPath, graph, { name: v.model, version: String(v.version) });
      } finally {
        await s.close();
      }
    };
    server = await startServer({
      home,
      config: { port: 0, host: '127.0.0.1', model: `${r.model_name}@production`, log_requests: false },
      loader,
      dashboard: { home, loadGraph: async () => graph },
      handleSignals: false,
    });
    b = await launchBrowser(home, server.url);
  });

  after(async () => {
    await b?.ctx.close();
    await server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Open the page (or act on it) and return the page's POST /v1/predict/nodes request body and answer. */
  const predicted = async (act: () => Promise<unknown>) => {
    const answer = b.page.waitForResponse((r) => r.url().endsWith('/v1/predict/nodes'));
    await act();
    const r = await answer;
    assert.equal(r.status(), 200, await r.text());
    return { asked: JSON.parse(r.request().postData() ?? '{}'), answer: (await r.json()) as NodesResponse };
  };

  it('a node opened by its id in the address is asked for, drawn and titled by that id', async () => {
    const id = nodeId(7);
    const { asked, answer } = await predicted(() =>
      b.page.goto(`${server.url}/#/predict?node=${encodeURIComponent(id)}`),
    );
    assert.deepEqual(asked.node_ids, [id]);
    assert.equal(answer.predictions[0].node_id, id);
    await b.page.waitForSelector('#predicted-label');
    assert.match((await b.page.textContent('main')) ?? '', new RegExp(`Node ${id}`));
    const g = await b.page.waitForSelector('.graph[data-center]');
    assert.equal(Number(await g.getAttribute('data-center')), 7, 'the neighbourhood is centred on that node');
  });

  it('typing an id in the search box opens that node', async () => {
    const id = nodeId(12);
    await b.page.fill('#node-query', id);
    const { asked } = await predicted(() => b.page.click('#node-go'));
    assert.deepEqual(asked.node_ids, [id]);
    await b.page.waitForFunction(`location.hash === ${JSON.stringify(`#/predict?node=${encodeURIComponent(id)}`)}`);
  });

  it('the explanation names its edges by the original ids', async () => {
    const answer = b.page.waitForResponse((r) => r.url().endsWith('/v1/explain/nodes'));
    await b.page.click('#explain-go');
    assert.equal((await answer).status(), 200);
    await b.page.waitForSelector('#top-edges tbody tr');
    const cells = await b.page.locator('#top-edges tbody tr td:first-child').allTextContents();
    assert.ok(cells.length > 0);
    for (const c of cells) assert.match(c, /^n\d+-\d+ → n\d+-\d+$/, c);
    await b.page.screenshot({ path: join(shotsDir, 'predict-string-ids.png'), fullPage: true });
    assert.deepEqual(b.pageErrors, []);
    assert.deepEqual(b.external, []);
  });

  it('an id the dataset does not have shows the server’s message', async () => {
    await b.page.goto(`${server.url}/#/predict?node=paper-17`);
    await b.page.waitForFunction("document.querySelectorAll('.error').length === 2");
    const main = (await b.page.textContent('main')) ?? '';
    assert.match(main, /Error 422: node_ids\[0\]: unknown node id "paper-17": no node of dataset papers has this id/);
    assert.match(main, /Error 404: node: unknown node id "paper-17"/);
  });
});
