/**
 * The importer on generated files (test/data/import-fixtures.ts): each format parses to the graph that was written,
 * gzip and plain give the same dataset version, every class of bad input is refused with its file, line and
 * column, a failed import leaves no dataset (and keeps an existing one), and the loader finds an import by name.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { dataSection } from '../../src/config/sections/data.js';
import { importDataset } from '../../src/data/import/index.js';
import { importedDir, importedRoot } from '../../src/data/imported.js';
import { loadDatasetWithInfo } from '../../src/data/load.js';
import { GnnopsError } from '../../src/util/errors.js';
import {
  classNames,
  nodeId,
  npy,
  planted,
  writeCsv,
  writeCsvWithFiles,
  writeNpz,
  writeOgb,
  zip,
} from './import-fixtures.js';

let work = '';
beforeEach(() => {
  process.env.GNNOPS_HOME = mkdtempSync(join(tmpdir(), 'gnnops-import-home-'));
  work = mkdtempSync(join(tmpdir(), 'gnnops-import-in-'));
});

const base = { undirected: true };
const sum = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);
/** Neighbours of node i in the CSR. */
const row = (g: { indptr: Int32Array; indices: Int32Array }, i: number) => [
  ...g.indices.subarray(g.indptr[i], g.indptr[i + 1]),
];

describe('import --format ogb', () => {
  it('reads the gzip layout into the graph that was written; plain files give the same version', async () => {
    const p = planted();
    writeOgb(join(work, 'gz'), p, true);
    writeOgb(join(work, 'plain'), p, false);
    const a = await importDataset('ogb', join(work, 'gz'), { ...base, name: 'ogb-gz' });
    const b = await importDataset('ogb', join(work, 'plain'), { ...base, name: 'ogb-plain' });
    assert.equal(a.version, b.version);
    assert.equal(a.nodes, p.n);
    assert.equal(a.features, 4);
    assert.equal(a.classes, 3);
    assert.deepEqual([a.train, a.val, a.test], [p.train.length, p.valid.length, p.test.length]);
    assert.equal(a.split, 'time');
    const { graph } = await loadDatasetWithInfo(dataSection.parse({ name: 'ogb-gz' }));
    assert.equal(graph.hash, a.version);
    assert.deepEqual([...graph.labels], p.labels);
    assert.ok(Math.abs(graph.features[5] - p.features[1][1]) < 1e-6, 'features are not row-normalised by default');
    // Undirected: every written edge is present in both rows.
    for (const [u, v] of p.edges) {
      assert.ok(row(graph, u).includes(v) && row(graph, v).includes(u), `edge ${u}-${v}`);
    }
    assert.equal(graph.rawEdgeEntries, p.edges.length);
    assert.ok(existsSync(join(importedDir('ogb-gz'), 'stats', 'stats.json')));
    assert.ok(existsSync(join(importedDir('ogb-gz'), 'stats', 'degree-histogram.svg')));
    assert.equal(existsSync(join(importedDir('ogb-gz'), 'ids.json')), false, 'OGB ids are already 0..n-1');
  });

  it('--directed keeps each stored edge once; --split picks one of several split folders', async () => {
    const p = planted();
    writeOgb(work, p, true, 'time');
    writeOgb(work, { ...p, train: p.valid, valid: p.train }, true, 'swapped');
    await assert.rejects(importDataset('ogb', work, { ...base, name: 'x' }), /several splits \(swapped, time\)/);
    const d = await importDataset('ogb', work, { name: 'x', undirected: false, split: 'swapped' });
    assert.equal(d.split, 'swapped');
    assert.equal(d.train, p.valid.length);
    assert.equal(d.edgeEntries, p.edges.length, 'directed keeps the raw entries');
  });
});

describe('import --format csv', () => {
  it('maps string ids, keeps the map, reads class names and the split column; TSV edges without a header', async () => {
    const p = planted(40, 4, 4);
    const f = writeCsv(work, p);
    // A spreadsheet export's byte-order mark must not hide the first header ("id").
    writeFileSync(f.nodes, `\ufeff${readFileSync(f.nodes, 'utf8')}`);
    const s = await importDataset('csv', work, { ...base, name: 'mycsv' });
    assert.equal(s.split, 'column');
    assert.equal(s.classes, 4);
    assert.deepEqual([s.train, s.val, s.test], [p.train.length, p.valid.length, p.test.length]);
    const ids = JSON.parse(readFileSync(join(importedDir('mycsv'), 'ids.json'), 'utf8')) as string[];
    assert.deepEqual(
      ids,
      p.labels.map((_, i) => nodeId(i)),
    );
    const { graph } = await loadDatasetWithInfo(dataSection.parse({ name: 'mycsv' }));
    assert.deepEqual(graph.classNames, [...classNames].sort());
    const sorted = [...classNames].sort();
    assert.deepEqual(
      [...graph.labels],
      p.labels.map((c) => sorted.indexOf(classNames[c])),
    );
    const [u, v] = p.edges[0];
    assert.ok(row(graph, u).includes(v) && row(graph, v).includes(u));
  });

  it('a header row on the edge list is recognised; without a split column the split is stratified and seeded', async () => {
    const p = planted(100, 2, 3);
    const files = writeCsv(work, p, false);
    writeFileSync(files.edges, `src\tdst\n${readFileSync(files.edges, 'utf8')}`);
    const a = await importDataset('csv', work, { ...base, name: 'r1', seed: 3 });
    const b = await importDataset('csv', work, { ...base, name: 'r2', seed: 3 });
    const c = await importDataset('csv', work, { ...base, name: 'r3', seed: 4 });
    assert.equal(a.split, 'random');
    assert.equal(a.version, b.version, 'same seed, same split');
    assert.notEqual(a.version, c.version, 'another seed, another split');
    assert.equal(a.stats.edges.rawLinkEntries, p.edges.length, 'the header row is not an edge');
    // 50 nodes per class, 0.6/0.2/0.2: exactly 30/10/10 of each class.
    assert.deepEqual(a.stats.splits.train.perClassMean, [30, 30]);
    assert.deepEqual(a.stats.splits.val.perClassMean, [10, 10]);
    assert.deepEqual(a.stats.splits.test.perClass, [10, 10]);
    const { graph } = await loadDatasetWithInfo(dataSection.parse({ name: 'r1' }));
    assert.equal(sum(graph.splits[0].train) + sum(graph.splits[0].val) + sum(graph.testMask), 100);
  });
});

describe('import --format csv with a .npy feature file and split files', () => {
  it('gives the same graph as feature columns and a split column of the same data', async () => {
    const p = planted(50, 4, 5);
    writeCsv(join(work, 'cols'), p);
    const f = writeCsvWithFiles(join(work, 'files'), p, '<f4');
    const a = await importDataset('csv', join(work, 'cols'), { ...base, name: 'cols' });
    const b = await importDataset('csv', join(work, 'files'), { ...base, name: 'files', splitFiles: f.splitFiles });
    assert.equal(b.split, 'files');
    assert.equal(b.features, 5);
    assert.deepEqual(b.files, [
      f.nodes,
      f.edges,
      f.features,
      f.splitFiles.train,
      f.splitFiles.valid,
      f.splitFiles.test,
    ]);
    assert.equal(a.version, b.version, 'same arrays and ids: same dataset version');
    const { graph } = await loadDatasetWithInfo(dataSection.parse({ name: 'files' }));
    for (let i = 0; i < p.n; i++) {
      for (let j = 0; j < 5; j++) assert.equal(graph.features[i * 5 + j], Math.fround(p.features[i][j]));
      const part = graph.splits[0].train[i]
        ? 'train'
        : graph.splits[0].val[i]
          ? 'valid'
          : graph.testMask[i]
            ? 'test'
            : '';
      assert.equal(part, p.train.includes(i) ? 'train' : p.valid.includes(i) ? 'valid' : 'test', `node ${i}`);
    }
  });

  it('--features names the file; an int64 array converts to float32; a split file may start with "id"', async () => {
    const p = planted(30, 3, 3);
    const f = writeCsvWithFiles(work, p, '<i8');
    const other = join(work, 'x.npy');
    writeFileSync(other, readFileSync(f.features));
    rmSync(f.features);
    writeFileSync(f.splitFiles.test, `id\n${readFileSync(f.splitFiles.test, 'utf8')}`);
    const s = await importDataset('csv', work, { ...base, name: 'ints', features: other, splitFiles: f.splitFiles });
    assert.equal(s.test, p.test.length, 'the header line is not a node');
    const { graph } = await loadDatasetWithInfo(dataSection.parse({ name: 'ints' }));
    assert.deepEqual(
      [...graph.features.subarray(0, 3)],
      p.features[0].map((x) => Math.trunc(x) + 0),
    );
  });
});

describe('import --format npz', () => {
  it('sparse stored and dense deflated archives of one graph give one dataset version', async () => {
    const p = planted(50, 2, 4);
    writeNpz(join(work, 'sparse.npz'), p);
    writeNpz(join(work, 'dense.npz'), p, { dense: true, deflate: true });
    const a = await importDataset('npz', join(work, 'sparse.npz'), { ...base, name: 'np1', seed: 1 });
    const b = await importDataset('npz', join(work, 'dense.npz'), { ...base, name: 'np2', seed: 1 });
    assert.equal(a.version, b.version);
    assert.deepEqual([a.nodes, a.features, a.classes, a.split], [50, 4, 2, 'random']);
    assert.deepEqual([a.train, a.val, a.test], [30, 10, 10]);
    const { graph } = await loadDatasetWithInfo(dataSection.parse({ name: 'np1' }));
    assert.deepEqual([...graph.labels], p.labels);
    assert.ok(Math.abs(graph.features[4 * 7 + 2] - p.features[7][2]) < 1e-6);
    for (const [u, v] of p.edges) assert.ok(row(graph, u).includes(v) && row(graph, v).includes(u), `edge ${u}-${v}`);
  });

  it('bad archives are refused by name and leave nothing', async () => {
    const f = join(work, 'g.npz');
    writeFileSync(f, 'not a zip at all');
    await assert.rejects(importDataset('npz', f, { ...base, name: 'bad' }), /g\.npz: is not a zip archive/);
    // A 20-node ring with dense attributes, one member replaced per case.
    const q = planted(20, 2, 3);
    const members: Record<string, Buffer> = {
      'adj_shape.npy': npy('<i8', [2], [20, 20]),
      'adj_indptr.npy': npy(
        '<i4',
        [21],
        Array.from({ length: 21 }, (_, i) => i),
      ),
      'adj_indices.npy': npy(
        '<i4',
        [20],
        Array.from({ length: 20 }, (_, i) => (i + 1) % 20),
      ),
      'adj_data.npy': npy('<f4', [20], new Array(20).fill(1)),
      'attr_matrix.npy': npy('<f4', [20, 3], q.features.flat()),
      'labels.npy': npy('<i8', [20], q.labels),
    };
    const cases: [Record<string, Buffer>, RegExp][] = [
      [
        { 'adj_indices.npy': npy('<i4', [20], new Array(20).fill(25)) },
        /adj_indices\[0\] = 25 is out of range 0\.\.19/,
      ],
      [{ 'labels.npy': npy('<i8', [19], new Array(19).fill(0)) }, /labels has 19 entries, the graph 20 nodes/],
      [
        {
          'labels.npy': npy(
            '<i8',
            [20],
            q.labels.map((c, i) => (i === 3 ? 2 : c)),
          ),
        },
        /labels\[3\] = 2 is outside the 2 classes/,
      ],
      [
        {
          'adj_indptr.npy': npy(
            '<i4',
            [20],
            Array.from({ length: 20 }, (_, i) => i),
          ),
        },
        /adj_indptr has 20 entries/,
      ],
    ];
    for (const [replace, message] of cases) {
      writeFileSync(f, zip({ ...members, ...replace }, false));
      await assert.rejects(importDataset('npz', f, { ...base, name: 'bad', classes: 2 }), message);
    }
    writeFileSync(f, zip(members, true));
    assert.equal((await importDataset('npz', f, { ...base, name: 'ring', classes: 2 })).edgeEntries, 40);
    assert.deepEqual(readdirSync(importedRoot()), ['ring']);
  });
});

/** Rewrite one gzip file of an OGB fixture through a text transform. */
function editGz(path: string, f: (lines: string[]) => string[]): void {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').trimEnd().split('\n');
  writeFileSync(path, gzipSync(`${f(lines).join('\n')}\n`));
}
const set = (i: number, v: string) => (lines: string[]) => lines.map((l, k) => (k === i ? v : l));

describe('bad input is refused with file, line and column, and leaves nothing', () => {
  const ogbCases: [string, (f: ReturnType<typeof writeOgb>) => void, RegExp][] = [
    [
      'ragged feature row',
      (f) => editGz(f.feat, set(2, '0.1,0.2')),
      /node-feat\.csv\.gz:3:3: 2 columns, the first row has 4/,
    ],
    [
      'non-numeric feature',
      (f) => editGz(f.feat, set(4, '0.1,abc,0.3,0.4')),
      /node-feat\.csv\.gz:5:2: "abc" is not a number/,
    ],
    [
      'edge node id out of range',
      (f) => editGz(f.edge, set(6, '3,60')),
      /edge\.csv\.gz:7:2: node id 60 is out of range 0\.\.59/,
    ],
    [
      'non-integer label',
      (f) => editGz(f.label, set(0, '1.5')),
      /node-label\.csv\.gz:1:1: "1\.5" is not a non-negative integer/,
    ],
    [
      'feature rows disagree with num-node-list',
      (f) => editGz(f.feat, (l) => l.slice(0, 59)),
      /node-feat\.csv\.gz: 59 rows, but .*num-node-list\.csv\.gz says 60 nodes/,
    ],
    [
      'edge count disagrees with num-edge-list',
      (f) => editGz(f.numEdges, () => ['5']),
      /edge\.csv\.gz: \d+ edges, but .*num-edge-list\.csv\.gz says 5/,
    ],
    [
      'a node in two parts of one split',
      (f) => editGz(f.test, set(0, '0')),
      /test\.csv\.gz:1:1: node 0 is already in train of split time/,
    ],
    [
      'an empty split part',
      (f) => writeFileSync(f.valid, gzipSync('')),
      /valid\.csv\.gz: the valid part of split time is empty/,
    ],
    [
      'a truncated gzip file',
      (f) => writeFileSync(f.feat, readFileSync(f.feat).subarray(0, -20)),
      /node-feat\.csv\.gz:\d+: cannot be read: unexpected end of file/,
    ],
    [
      'split node id out of range',
      (f) => editGz(f.train, set(1, '99')),
      /train\.csv\.gz:2:1: node id 99 is out of range/,
    ],
  ];
  for (const [what, spoil, message] of ogbCases) {
    it(`ogb: ${what}`, async () => {
      const f = writeOgb(work, planted());
      spoil(f);
      await assert.rejects(importDataset('ogb', work, { ...base, name: 'bad' }), (e: unknown) => {
        assert.ok(e instanceof GnnopsError, String(e));
        assert.match(e.message, message);
        return true;
      });
      assert.equal(existsSync(importedDir('bad')), false);
      assert.deepEqual(readdirSync(importedRoot()), [], 'no temporary folder is left');
    });
  }

  it('ogb: a label outside --classes', async () => {
    writeOgb(work, planted());
    await assert.rejects(
      importDataset('ogb', work, { ...base, name: 'bad', classes: 2 }),
      /node-label\.csv\.gz:3:1: label 2 is outside the 2 classes \(0\.\.1\)/,
    );
  });

  const csvCases: [string, (f: ReturnType<typeof writeCsv>) => void, RegExp][] = [
    ['ragged node row', (f) => edit(f.nodes, set(3, 'x,1,2')), /nodes\.csv:4:4: 3 columns, the header has 7/],
    [
      'non-numeric feature',
      (f) => edit(f.nodes, (l) => l.map((r, k) => (k === 2 ? r.replace(/^([^,]*),[^,]*/, '$1,oops') : r))),
      /nodes\.csv:3:2: "oops" is not a number/,
    ],
    [
      'an edge to an unknown node',
      (f) => edit(f.edges, set(4, `${nodeId(1)}\tghost`)),
      /edges\.tsv:5:2: node id "ghost" is not in the node table/,
    ],
    [
      'a duplicate node id',
      (f) => edit(f.nodes, (l) => l.map((r, k) => (k === 5 ? r.replace(/^[^,]*/, nodeId(0)) : r))),
      /nodes\.csv:6:1: node id "n0-0" already appears on line 2/,
    ],
    [
      'an unknown split value',
      (f) => edit(f.nodes, (l) => l.map((r, k) => (k === 2 ? r.replace(/[^,]*$/, 'holdout') : r))),
      /nodes\.csv:3:7: split "holdout" is not train, val or test/,
    ],
    [
      'an empty split part',
      (f) => edit(f.nodes, (l) => l.map((r) => r.replace(/,val$/, ',train'))),
      /nodes\.csv: no node is in val \(split column 7\)/,
    ],
  ];
  function edit(path: string, f: (lines: string[]) => string[]): void {
    writeFileSync(path, `${f(readFileSync(path, 'utf8').trimEnd().split('\n')).join('\n')}\n`);
  }
  for (const [what, spoil, message] of csvCases) {
    it(`csv: ${what}`, async () => {
      const f = writeCsv(work, planted(40, 4, 4));
      spoil(f);
      await assert.rejects(importDataset('csv', work, { ...base, name: 'bad' }), message);
      assert.equal(existsSync(importedDir('bad')), false);
      assert.deepEqual(readdirSync(importedRoot()), []);
    });
  }

  type Files = ReturnType<typeof writeCsvWithFiles>;
  const fileCases: [string, (f: Files) => void, RegExp][] = [
    [
      'a feature file that is not .npy',
      (f) => writeFileSync(f.features, 'id,f0\n'),
      /features\.npy: not a \.npy file \(6 bytes, too short\)|features\.npy: not a \.npy file \(bad magic/,
    ],
    [
      'a feature file of an unsupported dtype',
      (f) => writeFileSync(f.features, npy('<c8', [40, 4], new Array(160).fill(0))),
      /features\.npy: unsupported dtype <c8/,
    ],
    [
      'a feature file in Fortran order',
      (f) => writeFileSync(f.features, npy('<f4', [40, 4], new Array(160).fill(0), { fortran: true })),
      /features\.npy: Fortran-order/,
    ],
    [
      'a feature file with fewer rows than nodes',
      (f) => writeFileSync(f.features, npy('<f4', [39, 4], new Array(156).fill(0))),
      /features\.npy: shape \(39, 4\) has 39 rows, the node table .*nodes\.csv has 40 nodes/,
    ],
    [
      'a 1-D feature file',
      (f) => writeFileSync(f.features, npy('<f4', [40], new Array(40).fill(0))),
      /features\.npy: shape \(40,\) is not 2-D/,
    ],
    [
      'a NaN in the feature file',
      (f) =>
        writeFileSync(
          f.features,
          npy(
            '<f8',
            [40, 4],
            new Array(160).fill(0).map((_, k) => (k === 13 ? Number.NaN : 0)),
          ),
        ),
      /features\.npy: row 3, column 1 \(0-based\) is NaN/,
    ],
    [
      'feature columns and a feature file',
      (f) => editPlain(f.nodes, (l) => l.map((r, k) => `${r},${k === 0 ? 'f0' : '1'}`)),
      /nodes\.csv:1:3: the header names 1 feature column\(s\) \(f0\) and features also come from .*features\.npy/,
    ],
    [
      'no feature columns and no feature file',
      (f) => rmSync(f.features),
      /nodes\.csv:1: the header names no feature column, and no \.npy feature file is given/,
    ],
    [
      'a node in two split files',
      (f) => editPlain(f.splitFiles.test, (l) => [...l, nodeId(0)]),
      /test\.txt:9:1: node "n0-0" is in test and in train \(.*train\.txt:24\): a node belongs to one part/,
    ],
    [
      'a node twice in one split file',
      (f) => editPlain(f.splitFiles.valid, (l) => [...l, l[0]]),
      /valid\.txt:9:1: node "n406-38" is listed twice in valid \(first at .*valid\.txt:1\)/,
    ],
    ['an empty split file', (f) => writeFileSync(f.splitFiles.valid, '\n'), /valid\.txt: the valid split is empty/],
    [
      'an unknown id in a split file',
      (f) => editPlain(f.splitFiles.train, set(2, 'paper-17')),
      /train\.txt:3:1: node id "paper-17" is not in the node table/,
    ],
    [
      'an unlabelled node in a split file',
      (f) => editPlain(f.nodes, (l) => l.map((r, k) => (k === 1 ? r.replace(/,[a-z]+$/, ',') : r))),
      /train\.txt:24:1: node "n0-0" is in train but has no label/,
    ],
    [
      'a split column and split files',
      (f) => editPlain(f.nodes, (l) => l.map((r, k) => `${r},${k === 0 ? 'split' : 'train'}`)),
      /nodes\.csv:1:3: the node table has a split column and split files are given/,
    ],
  ];
  function editPlain(path: string, f: (lines: string[]) => string[]): void {
    writeFileSync(path, `${f(readFileSync(path, 'utf8').trimEnd().split('\n')).join('\n')}\n`);
  }
  for (const [what, spoil, message] of fileCases) {
    it(`csv: ${what}`, async () => {
      const f = writeCsvWithFiles(work, planted(40, 4, 4));
      spoil(f);
      await assert.rejects(importDataset('csv', work, { ...base, name: 'bad', splitFiles: f.splitFiles }), message);
      assert.deepEqual(readdirSync(importedRoot()), []);
    });
  }

  it('a failed re-import with force keeps the dataset already there, unchanged', async () => {
    const f = writeOgb(work, planted());
    const good = await importDataset('ogb', work, { ...base, name: 'keep' });
    await assert.rejects(importDataset('ogb', work, { ...base, name: 'keep' }), /already imported/);
    editGz(f.edge, set(0, '1,x'));
    await assert.rejects(importDataset('ogb', work, { ...base, name: 'keep', force: true }), /edge\.csv\.gz:1:2/);
    const { graph } = await loadDatasetWithInfo(dataSection.parse({ name: 'keep' }));
    assert.equal(graph.hash, good.version);
    assert.deepEqual(readdirSync(importedRoot()), ['keep']);
  });
});
