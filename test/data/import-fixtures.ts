/**
 * Generated inputs for the importer tests: a small graph with planted classes (features carry a class signal,
 * most edges join nodes of the same class), written in the OGB raw layout and as a CSV/TSV pair. Small enough to
 * import in milliseconds, structured enough that a trained model beats chance on it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { mulberry32 } from '../../src/util/random.js';

export interface Planted {
  n: number;
  classes: number;
  features: number[][];
  labels: number[];
  edges: [number, number][];
  train: number[];
  valid: number[];
  test: number[];
}

export function planted(n = 60, classes = 3, dim = 4, seed = 7): Planted {
  const rand = mulberry32(seed);
  const labels = Array.from({ length: n }, (_, i) => i % classes);
  const features = labels.map((c) =>
    Array.from({ length: dim }, (_, j) => Number(((j === c ? 1 : 0) + 0.5 * (rand() - 0.5)).toFixed(4))),
  );
  const edges: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      const same = rand() < 0.85;
      let j = Math.floor(rand() * n);
      if (same) j = (Math.floor(j / classes) * classes + labels[i]) % n;
      if (j !== i) edges.push([i, j]);
    }
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  return {
    n,
    classes,
    features,
    labels,
    edges,
    train: idx.filter((i) => i % 5 < 3),
    valid: idx.filter((i) => i % 5 === 3),
    test: idx.filter((i) => i % 5 === 4),
  };
}

/** Write the OGB layout under dir; `gz` picks .csv.gz or plain .csv. Returns the file paths by role. */
export function writeOgb(dir: string, p: Planted, gz = true, splitName = 'time') {
  const ext = gz ? '.csv.gz' : '.csv';
  const put = (path: string, lines: string[]) => {
    const text = `${lines.join('\n')}\n`;
    writeFileSync(path, gz ? gzipSync(text) : text);
    return path;
  };
  const raw = join(dir, 'raw');
  const split = join(dir, 'split', splitName);
  mkdirSync(raw, { recursive: true });
  mkdirSync(split, { recursive: true });
  return {
    edge: put(
      join(raw, `edge${ext}`),
      p.edges.map(([a, b]) => `${a},${b}`),
    ),
    feat: put(
      join(raw, `node-feat${ext}`),
      p.features.map((r) => r.join(',')),
    ),
    label: put(join(raw, `node-label${ext}`), p.labels.map(String)),
    numNodes: put(join(raw, `num-node-list${ext}`), [String(p.n)]),
    numEdges: put(join(raw, `num-edge-list${ext}`), [String(p.edges.length)]),
    train: put(join(split, `train${ext}`), p.train.map(String)),
    valid: put(join(split, `valid${ext}`), p.valid.map(String)),
    test: put(join(split, `test${ext}`), p.test.map(String)),
  };
}

/** String id of node i in the CSV fixtures: not numeric, so the id map is exercised. */
export const nodeId = (i: number) => `n${(i * 37) % 1000}-${i}`;
export const classNames = ['alpha', 'beta', 'gamma', 'delta'];

/** Node table (nodes.csv, with a split column unless withSplit is false) and edge list (edges.tsv, no header). */
export function writeCsv(dir: string, p: Planted, withSplit = true) {
  mkdirSync(dir, { recursive: true });
  const part = (i: number) => (p.train.includes(i) ? 'train' : p.valid.includes(i) ? 'val' : 'test');
  const header = ['id', ...p.features[0].map((_, j) => `f${j}`), 'label', ...(withSplit ? ['split'] : [])];
  const rows = p.labels.map((c, i) =>
    [nodeId(i), ...p.features[i], classNames[c], ...(withSplit ? [part(i)] : [])].join(','),
  );
  const nodes = join(dir, 'nodes.csv');
  writeFileSync(nodes, `${[header.join(','), ...rows].join('\n')}\n`);
  const edges = join(dir, 'edges.tsv');
  writeFileSync(edges, `${p.edges.map(([a, b]) => `${nodeId(a)}\t${nodeId(b)}`).join('\n')}\n`);
  return { nodes, edges };
}
