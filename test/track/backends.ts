import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store, type StoreOptions } from '../../src/track/store.js';
import { freshDatabase, PG_SKIP } from '../db/pg-helper.js';

/**
 * A store backend for the contract suites of tracking and the registry: every suite runs once on the embedded
 * SQLite file of each workspace and once on a PostgreSQL database shared by every workspace of the suite (a
 * fresh database per suite, dropped at the end).
 */
export interface StoreBackend {
  name: string;
  /** A reason to skip (PostgreSQL without GNNOPS_TEST_POSTGRES), or false. */
  skip: string | false;
  /** The store URL a child process gets as GNNOPS_DATABASE_URL (empty: the workspace file). */
  url(): Promise<string>;
  /** Open a workspace (a new folder unless `home` is given) on this backend. */
  open(opts?: StoreOptions): Promise<Store>;
  /** A process exit handler can still write the store (the embedded SQLite store writes synchronously). */
  syncExit: boolean;
  dispose(): Promise<void>;
}

export function sqliteBackend(): StoreBackend {
  return {
    name: 'SQLite',
    skip: false,
    url: async () => '',
    open: (opts = {}) => openStore({ ...opts, home: opts.home ?? mkdtempSync(join(tmpdir(), 'gnnops-store-')) }),
    syncExit: true,
    dispose: async () => {},
  };
}

export function postgresBackend(): StoreBackend {
  let db: Promise<{ url: string; drop: () => Promise<void> }> | undefined;
  const url = async () => {
    db ??= freshDatabase();
    return (await db).url;
  };
  return {
    name: 'PostgreSQL',
    skip: PG_SKIP,
    url,
    open: async (opts = {}) =>
      openStore({ ...opts, url: await url(), home: opts.home ?? mkdtempSync(join(tmpdir(), 'gnnops-store-')) }),
    syncExit: false,
    dispose: async () => {
      if (db) await (await db).drop();
    },
  };
}
