// Screenshots for the course report (reports/figures), taken from this repository's own outputs in headless
// Chromium (Debian package, playwright-core):
//   bucket.png    – the objects in an S3-compatible bucket (s3rver on 127.0.0.1) after CasMirror pushed every
//                   artifact of a workspace: the code path a GCS bucket would get (no GCP account was available)
//   images.png    – scripts/check-deploy.ts checking the three Dockerfiles, compose, k8s, workflows, GCP specs
//   deployment.png – the docs site's "what was built here" page (needs `npm run docs:build` first)
// Usage: node --import tsx scripts/report-figures.ts --home <GNNOPS_HOME with runs>
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import S3rver from 's3rver';
import { CasMirror } from '../src/storage/cas-mirror.js';
import { S3Storage } from '../src/storage/s3.js';
import { ArtifactStore } from '../src/track/cas.js';
import { repoRoot } from './check-deploy.js';

const out = join(repoRoot, 'reports/figures');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

async function shoot(page: Page, html: string, file: string, width = 1100): Promise<void> {
  await page.setViewportSize({ width, height: 400 });
  await page.setContent(
    `<!doctype html><html><body style="margin:0;font:14px/1.45 DejaVu Sans Mono,monospace;background:#fff">${html}</body></html>`,
  );
  await page.screenshot({ path: join(out, file), fullPage: true });
}

async function bucketFigure(page: Page, home: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gnnops-fig-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'gnnops-artifacts' }],
  });
  const { port } = await server.run();
  const s3 = new S3Storage({
    bucket: 'gnnops-artifacts',
    prefix: 'gnnops/',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    const cas = new ArtifactStore(join(home, 'artifacts'));
    const mirror = new CasMirror(cas, s3);
    const digests: string[] = [];
    const shard = join(home, 'artifacts', 'sha256');
    for (const a of readdirSync(shard))
      for (const b of readdirSync(join(shard, a))) if (!b.includes('.tmp-')) digests.push(a + b);
    for (const d of digests) await mirror.push(d);
    const keys = await s3.list();
    const rows = keys
      .map((k) => {
        const d = k.replace(/^sha256\//, '').replace('/', '');
        return `<tr><td>gnnops/${esc(k)}</td><td style="text-align:right">${cas.size(d).toLocaleString('en')}</td></tr>`;
      })
      .join('');
    await shoot(
      page,
      `<div style="padding:16px"><div style="font-weight:bold">s3://gnnops-artifacts/gnnops/ (S3 API at 127.0.0.1:${port}, s3rver)</div>
       <div style="color:#555">${keys.length} objects pushed by CasMirror from ${esc(home)}/artifacts</div>
       <table style="border-collapse:collapse;margin-top:8px" cellpadding="4"><tr><th align="left">key</th><th>bytes</th></tr>${rows}</table></div>`,
      'bucket.png',
    );
  } finally {
    s3.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function checksFigure(page: Page): Promise<void> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/check-deploy.ts')], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const text = `$ node --import tsx scripts/check-deploy.ts\n${r.stdout}${r.stderr}(exit ${r.status})`;
  await shoot(
    page,
    `<pre style="margin:0;padding:16px;background:#1e1e1e;color:#ddd">${esc(text)}</pre>`,
    'images.png',
    1000,
  );
}

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

async function docsFigure(page: Page): Promise<void> {
  const dist = join(repoRoot, 'docs/.vitepress/dist');
  if (!existsSync(dist)) throw new Error('docs/.vitepress/dist is missing: run npm run docs:build first');
  const server = createServer((req, res) => {
    let p = join(dist, decodeURIComponent((req.url ?? '/').split('?')[0]));
    if (existsSync(`${p}.html`)) p = `${p}.html`;
    else if (existsSync(p) && statSync(p).isDirectory()) p = join(p, 'index.html');
    if (!existsSync(p)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(p)] ?? 'application/octet-stream' }).end(readFileSync(p));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  try {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`http://127.0.0.1:${port}/deploy/`, { waitUntil: 'networkidle' });
    await page.screenshot({ path: join(out, 'deployment.png'), fullPage: false });
  } finally {
    server.close();
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--home');
  const home = resolve(at >= 0 ? process.argv[at + 1] : (process.env.GNNOPS_HOME ?? ''));
  if (!existsSync(join(home, 'artifacts')))
    throw new Error(`--home ${home}: no artifacts/ folder (train a model first)`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    await bucketFigure(page, home);
    await checksFigure(page);
    await docsFigure(page);
  } finally {
    await browser.close();
  }
  process.stdout.write('report-figures: wrote bucket.png, images.png, deployment.png in reports/figures\n');
}

await main();
