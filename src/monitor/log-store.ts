import { type DatabaseTarget, migrate, openTarget, type SqlDb } from '../db/index.js';
import { requestLogMigrations } from '../request-log/schema.js';
import { driftHistoryMigrations } from './drift-history.js';

/** The tables of serving's monitoring data: the request log and the drift-check history. */
export const logStoreMigrations = Object.freeze([...requestLogMigrations, ...driftHistoryMigrations]);

/**
 * Where the request log and the drift-check history live, opened and migrated: `db` for this thread, and `target`
 * for the threads that open their own connection (the request-log writer, the drift worker).
 */
export interface LogStore {
  target: DatabaseTarget;
  db: SqlDb;
}

/** Open the store a target names and bring its request-log and drift-history tables up to date. */
export async function openLogStore(target: DatabaseTarget): Promise<LogStore> {
  const db = openTarget(target);
  try {
    await migrate(db, logStoreMigrations);
  } catch (e) {
    await db.close();
    throw e;
  }
  return { target, db };
}
