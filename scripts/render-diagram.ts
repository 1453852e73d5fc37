// Renders docs/architecture.mmd with Mermaid (npm `mermaid`, its browser bundle) in headless Chromium (the Debian
// package, driven by playwright-core) to docs/public/architecture.generated.svg and reports/figures/architecture.png.
// Offline: the bundle is loaded from node_modules, no CDN. Usage: node --import tsx scripts/render-diagram.ts
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { writeFileAtomic } from '../src/util/fs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export async function renderMermaid(source: string): Promise<{ svg: string; png: Buffer }> {
  const executablePath = CHROMIUM.find((p) => existsSync(p));
  if (!executablePath)
    throw new Error(`no Chromium found (looked for ${CHROMIUM.join(', ')}): apt-get install chromium`);
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1800, height: 1000 }, deviceScaleFactor: 1.5 });
    await page.setContent(
      '<!doctype html><html><body style="margin:0;background:#fff"><div id="d"></div></body></html>',
    );
    await page.addScriptTag({ path: join(root, 'node_modules/mermaid/dist/mermaid.min.js') });
    const svg = await page.evaluate(async (src: string) => {
      const m = (globalThis as unknown as { mermaid: MermaidApi }).mermaid;
      m.initialize({ startOnLoad: false, theme: 'default', securityLevel: 'strict', flowchart: { htmlLabels: false } });
      const { svg } = await m.render('arch', src);
      // Mermaid's string has HTML-isms (<br>); the DOM round trip through XMLSerializer makes it a valid SVG file
      const g = globalThis as unknown as {
        document: { getElementById(id: string): { innerHTML: string; firstElementChild: unknown } | null };
        XMLSerializer: new () => { serializeToString(n: unknown): string };
      };
      const host = g.document.getElementById('d');
      if (!host) return svg;
      host.innerHTML = svg;
      return new g.XMLSerializer().serializeToString(host.firstElementChild);
    }, source);
    const el = await page.$('#d svg');
    if (!el) throw new Error('mermaid produced no SVG');
    const png = await el.screenshot({ type: 'png' });
    return { svg, png };
  } finally {
    await browser.close();
  }
}

interface MermaidApi {
  initialize(cfg: Record<string, unknown>): void;
  render(id: string, src: string): Promise<{ svg: string }>;
}

async function main(): Promise<void> {
  const { svg, png } = await renderMermaid(readFileSync(join(root, 'docs/architecture.mmd'), 'utf8'));
  writeFileAtomic(join(root, 'docs/public/architecture.generated.svg'), `${svg}\n`);
  writeFileAtomic(join(root, 'reports/figures/architecture.png'), png);
  process.stdout.write(
    'render-diagram: wrote docs/public/architecture.generated.svg and reports/figures/architecture.png\n',
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
