import { z } from 'zod';

/**
 * Where tracking and the registry keep their state. A URL, as MLflow's backend store: the embedded SQLite file of
 * the workspace by default, or a PostgreSQL server that several machines share.
 */
export const storeSection = z
  .strictObject({
    url: z
      .string()
      .trim()
      .min(1)
      .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite: or postgres://')
      .optional()
      .describe(
        'Store URL: sqlite:PATH (relative paths resolve against the workspace) or postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=require&…] (libpq-style TLS options pass through to node-postgres). Unset: <GNNOPS_HOME>/gnnops.db.',
      ),
  })
  .describe(
    'The SQL store of runs, params, metrics, the artifact index, the model registry, sweeps, the request log and the drift-check history. GNNOPS_DATABASE_URL, when set, takes precedence over store.url (commands without a config read only the variable).',
  );

export type StoreConfig = z.infer<typeof storeSection>;
