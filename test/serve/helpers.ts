import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServeConfig } from '../../src/config/sections/serve.js';
import { parseDatabaseUrl } from '../../src/db/index.js';
import { buildServeApp, type ServeApp, type ServeAppOptions } from '../../src/jobs/serve-app.js';
import { type LogStore, openLogStore as openStoreAt } from '../../src/monitor/log-store.js';
import type { RequestLogEntry } from '../../src/request-log/types.js';
import { meanModel, type StoredGraph } from './fixtures/mean-model.js';

/**
 * The hand-checkable fixture: F = 2, C = 2, W = identity, b = 0, so p = softmax(h) with h the mean of a node and
 * its senders. Stored graph: node 0 ← 1, node 1 ← (none), node 2 ← 0, 1; features [1,0], [0,3], [0,0].
 */
export const tinyGraph: StoredGraph = {
  numNodes: 3,
  features: Float32Array.from([1, 0, 0, 3, 0, 0]),
  indptr: Int32Array.from([0, 1, 1, 3]),
  indices: Int32Array.from([1, 0, 1]),
  titles: ['Alpha', '', 'Gamma'],
};

export function tinyModel(version = '1', extra: Parameters<typeof meanModel>[0] = {}) {
  return meanModel({
    name: 'tiny',
    version,
    numFeatures: 2,
    numClasses: 2,
    classNames: ['left', 'right'],
    weights: Float32Array.from([1, 0, 0, 1]),
    bias: new Float32Array(2),
    graph: tinyGraph,
    ...extra,
  });
}

/** σ(d): softmax of two logits differing by d, for the larger one. */
export const sigmoid = (d: number) => 1 / (1 + Math.exp(-d));

export function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'gnnops-serve-'));
  process.env.GNNOPS_HOME = home;
  return home;
}

/** The request log of the workspace `home`: its SQLite file (whatever GNNOPS_DATABASE_URL says), migrated. */
export function openLogStore(home: string): Promise<LogStore> {
  return openStoreAt(parseDatabaseUrl('sqlite:', home));
}

export async function tinyApp(
  opts: Omit<ServeAppOptions, 'config'> & { config?: Partial<ServeConfig> } = {},
): Promise<ServeApp> {
  return buildServeApp({ model: tinyModel(), defaultMetrics: false, apiKey: 'secret-key', ...opts });
}

/** A one-subgraph /predict body for the tiny model: nodes [1,0] and [0,3], edge 0 → 1. */
export const tinyBody = {
  x: [
    [1, 0],
    [0, 3],
  ],
  edge_index: [[0], [1]],
};

/** A request-log row for a 2-node subgraph (features row-major 2 × F); `requestId` tells rows apart in assertions. */
export function logRow(requestId: string, ts: number, features = Float32Array.from([1, 0, 0, 3])): RequestLogEntry {
  return {
    ts,
    requestId,
    item: 0,
    route: '/predict',
    model: 'tiny',
    version: '1',
    kind: 'subgraph',
    numNodes: 2,
    numEdges: 1,
    numFeatures: features.length / 2,
    meanDegree: 0.5,
    maxDegree: 1,
    features,
    nodeIds: null,
    degrees: Int32Array.from([0, 1]),
    predictions: Int32Array.from([0, 1]),
    confidence: Float32Array.from([0.7, 0.9]),
    temperature: 1,
    inferenceMs: 0.1,
  };
}
