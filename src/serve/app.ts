import { randomBytes } from 'node:crypto';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { requireKey } from './auth.js';
import { connectionOptions, readRestBeforeError } from './connection.js';
import type { ServeContext } from './context.js';
import type { DriftLoop } from './drift-loop.js';
import { makeErrorHandler, notFoundHandler } from './errors.js';
import { registerJsonParser } from './json-parser.js';
import { adminRoutes } from './routes/admin.js';
import { explainRoutes } from './routes/explain.js';
import { healthRoutes, SERVER_VERSION } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelsRoutes } from './routes/models.js';
import { nodesRoutes } from './routes/nodes.js';
import { predictRoutes } from './routes/predict.js';
import { v2Routes } from './routes/v2.js';
import { securitySchemes } from './schemas/common.js';
import { INFERENCE_HEADER } from './v2-binary.js';

/** What the route plugins of the HTTP app get: the serving context, plus the drift loop when one is wired. */
export type AppContext = ServeContext & { drift?: DriftLoop };

/** One route plugin: registers its routes on the scope it is given. */
export type RoutePlugin = (app: FastifyInstance, ctx: AppContext) => Promise<void>;

/** Open to everyone: probes and monitoring. */
export const openRoutes: readonly RoutePlugin[] = [healthRoutes, metricsRoutes];
/** The inference API, behind the public API key when serve.require_api_key is on. A new route family is one line. */
export const publicRoutes: readonly RoutePlugin[] = [predictRoutes, nodesRoutes, explainRoutes, v2Routes, modelsRoutes];
/** Always behind the admin API key. */
export const adminOnlyRoutes: readonly RoutePlugin[] = [adminRoutes];

/**
 * The inference server's HTTP layer over a context built by the caller (src/jobs/serve-app.ts): a JSON-only body
 * parser, one error handler, Prometheus hooks, CORS, OpenAPI at /docs, and one encapsulated scope per access level
 * (open, public key, admin key) holding the route plugins listed above. Not listening yet.
 */
export async function buildHttpApp(ctx: AppContext): Promise<FastifyInstance> {
  const { config, metrics, apiKey } = ctx;
  const boot = randomBytes(4).toString('hex');
  let seq = 0;
  const app = Fastify({
    logger: false,
    bodyLimit: config.body_limit,
    genReqId: () => `${boot}-${(++seq).toString(36)}`,
    // allowUnionTypes: a node is named by its original id (string) or its index (integer), on purpose.
    ajv: { customOptions: { coerceTypes: false, verbose: true, allErrors: false, allowUnionTypes: true } },
    ...connectionOptions(config), // request timeout and JSON answers to what the HTTP parser rejects
  });
  registerJsonParser(app, config.body_limit);
  app.setErrorHandler(makeErrorHandler(config.body_limit));
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onSend', readRestBeforeError(config.body_limit));

  app.addHook('onRequest', async (req, reply) => {
    metrics.inFlight.inc();
    reply.raw.once('close', () => metrics.inFlight.dec());
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    metrics.duration.observe({ route }, reply.elapsedTime / 1000);
  });

  if (config.cors_origins.length > 0) {
    await app.register(cors, {
      origin: config.cors_origins.includes('*') ? true : config.cors_origins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key', INFERENCE_HEADER],
      exposedHeaders: [INFERENCE_HEADER],
    });
  }
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'gnnops inference API',
        version: SERVER_VERSION,
        description:
          'GNN node classification: POST /predict (compatible with the common `{x, edge_index}` client), by-node queries, and the Open Inference ' +
          'Protocol (KServe V2). Errors are `{error, code}` with the field and the limit at fault.',
      },
      components: { securitySchemes },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } });

  await app.register(async (scope) => {
    for (const routes of openRoutes) await routes(scope, ctx);
  });
  await app.register(async (scope) => {
    if (config.require_api_key) scope.addHook('onRequest', requireKey(apiKey, 'public'));
    for (const routes of publicRoutes) await routes(scope, ctx);
  });
  await app.register(async (scope) => {
    scope.addHook('onRequest', requireKey(apiKey, 'admin'));
    for (const routes of adminOnlyRoutes) await routes(scope, ctx);
  });
  return app;
}
