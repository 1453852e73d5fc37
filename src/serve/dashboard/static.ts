import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** web/dist of the repository: three levels up from this file in src/ (tsx) and in dist/ (built) alike. */
export function defaultWebRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../..', 'web', 'dist');
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>gnnops</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>gnnops dashboard not built</h1>
<p>The web app is missing from <code>web/dist</code>. Run <code>npm run build</code> (or <code>npm run build:web</code>)
and restart the server. The API is served meanwhile: see <a href="/docs">/docs</a>.</p>
</body></html>`;

/**
 * Serve the built single-page app at `/` (hash routing, so only real files need routes: one route per file,
 * no wildcard that would shadow the API's 404s). Without a build, `/` says how to make one.
 */
export async function registerWebApp(app: FastifyInstance, root: string): Promise<boolean> {
  if (!existsSync(join(root, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => {
      reply.type('text/html; charset=utf-8');
      return NOT_BUILT;
    });
    return false;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    // hashed asset names never change; index.html must be revalidated to pick up a new build
    setHeaders: (res, path) => {
      res.header('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
  });
  return true;
}
