/**
 * Headless chromium for the browser suites (playwright-core driving Debian's /usr/bin/chromium): one persistent
 * context per suite, with the page's script errors and any request leaving the server collected for the suites'
 * final checks.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
/** Screenshots of the browser suites. */
export const shotsDir = join(repoRoot, 'test-artifacts', 'web');

export const CHROMIUM = '/usr/bin/chromium';

/** The skip message when chromium is missing, else false. */
export const noChromium = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install -y chromium); skipping the browser suite`;

/** Build the web app when web/dist has no build (npm test builds it first; a lone suite run may not have). */
export function ensureWebBuild(): void {
  if (existsSync(join(repoRoot, 'web', 'dist', 'index.html'))) return;
  const b = spawnSync('npm', ['run', 'build:web'], { cwd: repoRoot, stdio: 'inherit' });
  assert.equal(b.status, 0, 'npm run build:web failed');
}

export interface Browser {
  ctx: BrowserContext;
  page: Page;
  /** Script errors and console errors the page logged. */
  pageErrors: string[];
  /** Requests to anything but `serverUrl`: the dashboard must work offline (no CDN, no web fonts). */
  external: string[];
}

export async function launchBrowser(profileDir: string, serverUrl: string): Promise<Browser> {
  const ctx = await chromium.launchPersistentContext(join(profileDir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1360, height: 900 },
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const pageErrors: string[] = [];
  const external: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith(serverUrl) && !r.url().startsWith('data:')) external.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  page.setDefaultTimeout(20_000);
  return { ctx, page, pageErrors, external };
}
