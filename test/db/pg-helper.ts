import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The throwaway cluster `.ci/run` starts (`.ci/postgres.sh`); tests that need it skip when it is unset. */
export const TEST_POSTGRES = process.env.GNNOPS_TEST_POSTGRES;

export const PG_SKIP = TEST_POSTGRES
  ? false
  : 'GNNOPS_TEST_POSTGRES is not set (CI starts a cluster with .ci/postgres.sh and sets it; locally: bash .ci/postgres.sh start /tmp/gnnops-pg 5439 and export the URL it prints)';

/** A new empty database on the test cluster, so suites never see each other's tables; drop() removes it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = new URL(TEST_POSTGRES as string);
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
