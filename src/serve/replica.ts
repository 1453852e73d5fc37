import cluster from 'node:cluster';
import { hostname } from 'node:os';
import type { ServeConfig } from '../config/sections/serve.js';

/**
 * This server's name in the request log and the drift-check history: `serve.replica`, else hostname:pid of the
 * serving process. The workers of a cluster are one server, so they take their primary's pid.
 */
export function replicaId(config: Pick<ServeConfig, 'replica'>): string {
  if (config.replica) return config.replica;
  return `${hostname()}:${cluster.isWorker ? process.ppid : process.pid}`;
}
