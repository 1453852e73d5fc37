import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServeApp } from '../../src/jobs/serve-app.js';
import { tinyApp } from './helpers.js';

interface Case {
  name: string;
  url?: string;
  /** An object (sent as JSON) or a raw string body. */
  body: unknown;
  contentType?: string | null;
  status: number;
  code: string;
  field?: string;
  /** Text the message must contain (the limit, the offending value …). */
  says?: RegExp;
  limit?: number;
}

const edges = (s: number[], d: number[]) => [s, d];
const x2 = [
  [1, 0],
  [0, 3],
];
const v2 = (inputs: unknown[], extra: Record<string, unknown> = {}) => ({ inputs, ...extra });
const X = (data: unknown, shape = [2, 2], datatype = 'FP32') => ({ name: 'x', shape, datatype, data });
const EI = (data: unknown, shape = [2, 1], datatype = 'INT64') => ({ name: 'edge_index', shape, datatype, data });

// Limits of the app under test: max_nodes 4, max_edges 5, max_batch 2, body_limit 4096.
const cases: Case[] = [
  // x
  {
    name: 'ragged x',
    body: { x: [[1, 0], [0]], edge_index: edges([], []) },
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'x[1]',
    says: /ragged x: row 1 has 1 values but row 0 has 2/,
  },
  {
    name: 'wrong feature dimension',
    body: {
      x: [
        [1, 0, 5],
        [0, 3, 5],
      ],
      edge_index: edges([], []),
    },
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'x[0]',
    says: /3 values per node, the model expects 2/,
  },
  {
    name: 'NaN literal',
    body: '{"x": [[1, NaN]], "edge_index": [[], []]}',
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'x[0][1]',
    says: /NaN is not a finite number/,
  },
  {
    name: 'Infinity literal',
    body: '{"x": [[Infinity, 0]], "edge_index": [[], []]}',
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'x[0][0]',
    says: /Infinity/,
  },
  {
    name: '-Infinity literal in a batch',
    body: '{"instances": [{"x": [[1, 0]], "edge_index": [[], []]}, {"x": [[0, -Infinity]], "edge_index": [[], []]}]}',
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'instances[1].x[0][1]',
    says: /-Infinity/,
  },
  {
    name: 'overflowing number (parses to Infinity)',
    body: '{"x": [[1e999, 0]], "edge_index": [[], []]}',
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'x[0][0]',
    says: /Infinity is not a finite number/,
  },
  {
    name: 'finite double beyond float32',
    body: { x: [[1e300, 0]], edge_index: edges([], []) },
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'x[0][0]',
    says: /outside the float32 range/,
  },
  {
    name: 'features that overflow the forward pass',
    body: {
      x: [
        [3e38, 0],
        [3e38, 0],
      ],
      edge_index: edges([0], [1]),
    },
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'x',
    says: /output for node 1 is not finite/,
  },
  {
    name: 'V2: finite double beyond float32',
    url: '/v2/models/tiny/infer',
    body: v2([X([1, 0, 1e39, 3]), EI([0, 1])]),
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'inputs[0].data[2]',
    says: /float32 range/,
  },
  {
    name: '"NaN" as a string',
    body: { x: [[1, 'NaN']], edge_index: edges([], []) },
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'x[0][1]',
    says: /must be number, got "NaN"/,
  },
  {
    name: 'null feature',
    body: { x: [[null, 1]], edge_index: edges([], []) },
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'x[0][0]',
    says: /got null/,
  },
  {
    name: 'x not a matrix',
    body: { x: [1, 2], edge_index: edges([], []) },
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'x[0]',
    says: /must be array/,
  },
  {
    name: 'empty graph',
    body: { x: [], edge_index: edges([], []) },
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'x',
    says: /empty graph/,
  },
  {
    name: 'missing edge_index',
    body: { x: x2 },
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'edge_index',
    says: /is required/,
  },
  // edge_index
  {
    name: 'edge index out of range',
    body: { x: x2, edge_index: edges([0], [2]) },
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'edge_index[1][0]',
    says: /out of range: the subgraph has 2 nodes \(valid 0\.\.1\)/,
    limit: 1,
  },
  {
    name: 'negative edge index',
    body: { x: x2, edge_index: edges([-1], [0]) },
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'edge_index[0][0]',
    says: /-1 is out of range/,
  },
  {
    name: 'non-integer edge index',
    body: { x: x2, edge_index: edges([0.5], [0]) },
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'edge_index[0][0]',
    says: /must be integer, got 0.5/,
  },
  {
    name: 'string edge index',
    body: { x: x2, edge_index: edges(['1' as unknown as number], [0]) },
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'edge_index[0][0]',
  },
  {
    name: 'edge_index with 1 row',
    body: { x: x2, edge_index: [[0, 1]] },
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'edge_index',
    says: /2 × E/,
  },
  {
    name: 'edge_index with 3 rows (a shape error, not a size limit)',
    body: { x: x2, edge_index: [[0], [1], [1]] },
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'edge_index',
    says: /2 × E/,
  },
  {
    name: 'edge_index rows of different length',
    body: { x: x2, edge_index: edges([0, 1], [1]) },
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'edge_index',
    says: /row 0 has 2 entries, row 1 has 1/,
  },
  // limits
  {
    name: 'too many nodes',
    body: {
      x: [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ],
      edge_index: edges([], []),
    },
    status: 413,
    code: 'E_LIMIT_EXCEEDED',
    field: 'x',
    says: /limit 4/,
    limit: 4,
  },
  {
    name: 'too many edges',
    body: { x: x2, edge_index: edges([0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]) },
    status: 413,
    code: 'E_LIMIT_EXCEEDED',
    field: 'edge_index[0]',
    says: /limit 5/,
    limit: 5,
  },
  {
    name: 'batch too large',
    body: {
      instances: [
        { x: x2, edge_index: edges([], []) },
        { x: x2, edge_index: edges([], []) },
        { x: x2, edge_index: edges([], []) },
      ],
    },
    status: 413,
    code: 'E_LIMIT_EXCEEDED',
    field: 'instances',
    limit: 2,
  },
  {
    name: 'bare-array batch too large',
    body: [1, 2, 3].map(() => ({ x: x2, edge_index: edges([], []) })),
    status: 413,
    code: 'E_LIMIT_EXCEEDED',
    field: 'body',
    limit: 2,
  },
  {
    name: 'body over the byte limit',
    body: { x: x2, edge_index: edges([], []), pad: 'p'.repeat(5000) },
    status: 413,
    code: 'E_LIMIT_EXCEEDED',
    field: 'body',
    says: /4096 bytes/,
    limit: 4096,
  },
  {
    name: 'batch item missing a field',
    body: [{ x: x2, edge_index: edges([], []) }, { x: x2 }],
    status: 400,
    code: 'E_BAD_REQUEST',
    field: '[1].edge_index',
  },
  // transport
  {
    name: 'malformed JSON',
    body: '{"x": [[1, 0]], "edge_index": [[], []]',
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'body',
    says: /malformed JSON/,
  },
  {
    name: 'wrong content type',
    body: 'x=1',
    contentType: 'text/plain',
    status: 415,
    code: 'E_UNSUPPORTED_MEDIA_TYPE',
    field: 'content-type',
    says: /application\/json/,
  },
  {
    name: 'form content type',
    body: 'x=1',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    code: 'E_UNSUPPORTED_MEDIA_TYPE',
  },
  { name: 'empty body', body: '', status: 400, code: 'E_BAD_REQUEST', field: 'body', says: /must be object/ },
  { name: 'a JSON number as body', body: '42', status: 400, code: 'E_BAD_REQUEST', field: 'body' },
  {
    name: 'prototype poisoning',
    body: '{"x": [[1, 0]], "edge_index": [[], []], "__proto__": {"admin": true}}',
    status: 400,
    code: 'E_BAD_REQUEST',
    says: /__proto__/,
  },
  // nodes
  {
    name: 'unknown node id',
    url: '/v1/predict/nodes',
    body: { node_ids: [0, 3] },
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'node_ids[1]',
    says: /unknown node id 3: the graph (of dataset \S+ )?has 3 nodes/,
    limit: 2,
  },
  {
    name: 'negative node id',
    url: '/v1/predict/nodes',
    body: { node_ids: [-1] },
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'node_ids[0]',
  },
  {
    name: 'fractional node id',
    url: '/v1/predict/nodes',
    body: { node_ids: [1.5] },
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'node_ids[0]',
  },
  {
    name: 'empty node_ids',
    url: '/v1/predict/nodes',
    body: { node_ids: [] },
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'node_ids',
    says: /empty/,
  },
  {
    name: 'too many node ids',
    url: '/v1/predict/nodes',
    body: { node_ids: [0, 1, 2, 0, 1] },
    status: 413,
    code: 'E_LIMIT_EXCEEDED',
    field: 'node_ids',
    limit: 4,
  },
  {
    name: 'node_ids missing',
    url: '/v1/predict/nodes',
    body: { ids: [1] },
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'node_ids',
  },
  // V2
  {
    name: 'V2: unknown model',
    url: '/v2/models/other/infer',
    body: v2([X([1, 0, 0, 3]), EI([0, 1])]),
    status: 404,
    code: 'E_NOT_FOUND',
  },
  {
    name: 'V2: wrong x datatype',
    url: '/v2/models/tiny/infer',
    body: v2([X([1, 0, 0, 3], [2, 2], 'BYTES'), EI([0, 1])]),
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'inputs[0].datatype',
    says: /x must be FP32/,
  },
  {
    name: 'V2: data does not fill the shape',
    url: '/v2/models/tiny/infer',
    body: v2([X([1, 0, 0]), EI([0, 1])]),
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'inputs[0].data',
    says: /3 values but the shape needs 4/,
  },
  {
    name: 'V2: wrong feature dimension',
    url: '/v2/models/tiny/infer',
    body: v2([X([1, 0, 0, 3, 1, 1], [2, 3]), EI([0, 1])]),
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'inputs[0].shape',
    says: /expects 2/,
  },
  {
    name: 'V2: string in data',
    url: '/v2/models/tiny/infer',
    body: v2([X([1, 'NaN', 0, 3]), EI([0, 1])]),
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'inputs[0].data[1]',
  },
  {
    name: 'V2: edge_index not 2 × E',
    url: '/v2/models/tiny/infer',
    body: v2([X([1, 0, 0, 3]), EI([0, 1, 1], [3, 1])]),
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'inputs[1].shape',
    says: /2 × E/,
  },
  {
    name: 'V2: edge index out of range',
    url: '/v2/models/tiny/infer',
    body: v2([X([1, 0, 0, 3]), EI([0, 7])]),
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'inputs[1].data[1]',
    says: /out of range/,
  },
  {
    name: 'V2: unknown input name',
    url: '/v2/models/tiny/infer',
    body: v2([{ name: 'feats', shape: [1], datatype: 'FP32', data: [1] }]),
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'inputs[0].name',
  },
  {
    name: 'V2: node_ids together with x',
    url: '/v2/models/tiny/infer',
    body: v2([X([1, 0, 0, 3]), { name: 'node_ids', shape: [1], datatype: 'INT64', data: [0] }]),
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'inputs',
  },
  {
    name: 'V2: unknown node id',
    url: '/v2/models/tiny/infer',
    body: v2([{ name: 'node_ids', shape: [1], datatype: 'INT64', data: [9] }]),
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'inputs[0].data[0]',
  },
  {
    name: 'V2: too many nodes',
    url: '/v2/models/tiny/infer',
    body: v2([X(new Array(10).fill(0), [5, 2]), EI([], [2, 0])]),
    status: 413,
    code: 'E_LIMIT_EXCEEDED',
    field: 'inputs[0].shape',
    limit: 4,
  },
  {
    name: 'V2: missing x',
    url: '/v2/models/tiny/infer',
    body: v2([EI([0, 1])]),
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'inputs',
  },
  {
    name: 'V2: no inputs',
    url: '/v2/models/tiny/infer',
    body: v2([]),
    status: 400,
    code: 'E_BAD_REQUEST',
    field: 'inputs',
  },
  {
    name: 'V2: unknown output',
    url: '/v2/models/tiny/infer',
    body: v2([X([1, 0, 0, 3]), EI([0, 1])], { outputs: [{ name: 'logits' }] }),
    status: 422,
    code: 'E_INVALID_ARGUMENT',
    field: 'outputs[0].name',
  },
];

describe('bad input: 400/413/415/422 naming the field and the limit, never 500', () => {
  let s: ServeApp;
  before(async () => {
    s = await tinyApp({ config: { max_nodes: 4, max_edges: 5, max_batch: 2, body_limit: 4096 } });
  });
  after(async () => {
    await s.app.close();
  });

  for (const c of cases) {
    it(c.name, async () => {
      const raw = typeof c.body === 'string';
      const headers: Record<string, string> = {};
      if (c.contentType !== null) headers['content-type'] = c.contentType ?? 'application/json';
      const r = await s.app.inject({
        method: 'POST',
        url: c.url ?? '/predict',
        headers,
        payload: raw ? (c.body as string) : JSON.stringify(c.body),
      });
      const b = r.json();
      assert.equal(r.statusCode, c.status, `status for ${c.name}: ${r.body}`);
      assert.equal(b.code, c.code, r.body);
      if (c.field !== undefined) assert.equal(b.field, c.field, r.body);
      if (c.says) assert.match(b.error, c.says);
      if (c.limit !== undefined) assert.equal(b.limit, c.limit, r.body);
      assert.ok(
        Object.keys(b).every((k) => ['error', 'code', 'field', 'limit'].includes(k)),
        r.body,
      );
      assert.doesNotMatch(r.body, /at .*\.(ts|js):\d+/, 'no stack trace');
    });
  }

  it('a model that throws gives a bare 500 with no stack, and the server stays healthy', async () => {
    const { tinyModel } = await import('./helpers.js');
    const broken = tinyModel('1');
    const t = await tinyApp({
      model: {
        ...broken,
        predictSubgraph: () => {
          throw new Error('secret internal detail at /srv/model.ts:12');
        },
      },
    });
    try {
      const r = await t.app.inject({ method: 'POST', url: '/predict', payload: { x: x2, edge_index: edges([], []) } });
      assert.equal(r.statusCode, 500);
      assert.deepEqual(r.json(), { error: 'internal server error', code: 'E_INTERNAL' });
      assert.equal((await t.app.inject({ url: '/v2/health/ready' })).statusCode, 200);
    } finally {
      await t.app.close();
    }
  });
});
