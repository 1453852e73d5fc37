import { after } from 'node:test';
import { parseDatabaseUrl } from '../../src/db/index.js';
import { openLogStore } from '../../src/monitor/log-store.js';
import { freshDatabase, PG_SKIP } from '../db/pg-helper.js';
import { requestLogContract } from './contract.js';

let url: string | undefined;
let drop: (() => Promise<void>) | undefined;
after(async () => {
  await drop?.();
});

requestLogContract(
  'PostgreSQL',
  async () => {
    if (!url) {
      const fresh = await freshDatabase();
      url = fresh.url;
      drop = fresh.drop;
    }
    return openLogStore(parseDatabaseUrl(url, '/unused'));
  },
  PG_SKIP,
);
