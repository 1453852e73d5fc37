import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatabaseUrl } from '../../src/db/index.js';
import { openLogStore } from '../../src/monitor/log-store.js';
import { requestLogContract } from './contract.js';

const home = mkdtempSync(join(tmpdir(), 'gnnops-log-contract-'));
requestLogContract('SQLite', () => openLogStore(parseDatabaseUrl('sqlite:', home)));
