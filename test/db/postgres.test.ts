import { after } from 'node:test';
import { PostgresDb, redactUrl } from '../../src/db/index.js';
import { sqlDbContract } from './contract.js';
import { freshDatabase, PG_SKIP } from './pg-helper.js';

let url: string | undefined;
const drops: (() => Promise<void>)[] = [];
after(async () => {
  for (const d of drops) await d();
});

sqlDbContract(
  'PostgreSQL',
  async () => {
    if (!url) {
      const fresh = await freshDatabase();
      url = fresh.url;
      drops.push(fresh.drop);
    }
    return new PostgresDb(url, redactUrl(url));
  },
  PG_SKIP,
);
