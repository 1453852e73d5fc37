import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServeApp } from '../../src/jobs/serve-app.js';
import { readRequestLog } from '../../src/request-log/reader.js';
import { type BinaryInput, binaryInferRequest, encodeBinaryBody } from '../../src/serve/v2-binary.js';
import { mulberry32 } from '../../src/util/random.js';
import { openLogStore, tempHome, tinyApp } from './helpers.js';

const URL = '/v2/models/tiny/infer';

/**
 * A random subgraph for the tiny model (F = 2): values with many decimals, so that JSON and binary parity is not
 * a coincidence of round numbers. Values are float32-exact so both encodings carry the same numbers.
 */
function randomSubgraph(n: number, e: number, seed: number) {
  const r = mulberry32(seed);
  const x = Float32Array.from({ length: n * 2 }, () => (r() * 2 - 1) * 7.3);
  const ei = Array.from({ length: 2 * e }, () => Math.floor(r() * n));
  return { n, e, x, ei };
}

function jsonBody(g: ReturnType<typeof randomSubgraph>, extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    inputs: [
      { name: 'x', shape: [g.n, 2], datatype: 'FP32', data: Array.from(g.x) },
      { name: 'edge_index', shape: [2, g.e], datatype: 'INT64', data: g.ei },
    ],
  };
}

function binaryInputs(g: ReturnType<typeof randomSubgraph>): BinaryInput[] {
  return [
    { name: 'x', shape: [g.n, 2], datatype: 'FP32', data: g.x },
    { name: 'edge_index', shape: [2, g.e], datatype: 'INT64', data: BigInt64Array.from(g.ei, (v) => BigInt(v)) },
  ];
}

/** A binary-extension request from a hand-written JSON header and raw parts (for malformed requests). */
function raw(header: unknown, parts: Buffer[], headers: Record<string, string> = {}) {
  const json = Buffer.from(JSON.stringify(header));
  return {
    method: 'POST' as const,
    url: URL,
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(json.length),
      ...headers,
    },
    payload: Buffer.concat([json, ...parts]),
  };
}

const f32 = (...v: number[]) => Buffer.from(Float32Array.from(v).buffer);
const i64 = (...v: bigint[]) => Buffer.from(BigInt64Array.from(v).buffer);
const xIn = (size: number, shape = [2, 2], datatype = 'FP32') => ({
  name: 'x',
  shape,
  datatype,
  parameters: { binary_data_size: size },
});
const eiIn = (size: number, shape = [2, 1], datatype = 'INT64') => ({
  name: 'edge_index',
  shape,
  datatype,
  parameters: { binary_data_size: size },
});

describe('V2 infer: binary tensor data extension', () => {
  let s: ServeApp;
  before(async () => {
    s = await tinyApp({ config: { body_limit: 4096 } });
  });
  after(async () => {
    await s.app.close();
  });

  it('gives the same probabilities for the same subgraph sent as JSON and as binary (FP32 + INT64)', async () => {
    for (const seed of [1, 2, 3]) {
      const g = randomSubgraph(6, 9, seed);
      const asJson = await s.app.inject({ method: 'POST', url: URL, payload: jsonBody(g, { id: 'j' }) });
      const { body, headers } = binaryInferRequest(binaryInputs(g), { id: 'b' });
      const asBinary = await s.app.inject({ method: 'POST', url: URL, headers, payload: body });
      assert.equal(asJson.statusCode, 200, asJson.body);
      assert.equal(asBinary.statusCode, 200, asBinary.body);
      assert.match(String(asBinary.headers['content-type']), /application\/json/, 'outputs are JSON by default');
      const j = asJson.json();
      const b = asBinary.json();
      assert.equal(b.id, 'b');
      assert.deepEqual(b.outputs, j.outputs);
      // the fixture's probabilities are not uniform: the comparison has something to compare
      assert.ok(j.outputs[0].data.some((p: number) => Math.abs(p - 0.5) > 0.05));
    }
  });

  it('takes x as FP64 and edge_index as INT32 in binary, and mixes binary and JSON inputs', async () => {
    const g = randomSubgraph(5, 7, 4);
    const ref = (await s.app.inject({ method: 'POST', url: URL, payload: jsonBody(g) })).json();
    const fp64 = binaryInferRequest([
      { name: 'x', shape: [g.n, 2], datatype: 'FP64', data: Float64Array.from(g.x) },
      { name: 'edge_index', shape: [2, g.e], datatype: 'INT32', data: Int32Array.from(g.ei) },
    ]);
    const r1 = await s.app.inject({ method: 'POST', url: URL, headers: fp64.headers, payload: fp64.body });
    assert.equal(r1.statusCode, 200, r1.body);
    assert.deepEqual(r1.json().outputs, ref.outputs);

    // x in binary, edge_index as JSON data
    const mixed = raw(
      {
        inputs: [xIn(g.x.byteLength, [g.n, 2]), { name: 'edge_index', shape: [2, g.e], datatype: 'INT64', data: g.ei }],
      },
      [Buffer.from(g.x.buffer)],
    );
    const r2 = await s.app.inject(mixed);
    assert.equal(r2.statusCode, 200, r2.body);
    assert.deepEqual(r2.json().outputs, ref.outputs);
  });

  it('splits a JSON part of over 4 KB (the byte-level parser takes it) from the binary part', async () => {
    const big = await tinyApp();
    try {
      const g = randomSubgraph(400, 30, 7);
      const ref = (await big.app.inject({ method: 'POST', url: URL, payload: jsonBody(g) })).json();
      // x as JSON data (~6 KB of numbers), edge_index in binary right after it
      const req = raw(
        {
          inputs: [{ name: 'x', shape: [g.n, 2], datatype: 'FP32', data: Array.from(g.x) }, eiIn(g.e * 16, [2, g.e])],
        },
        [Buffer.from(BigInt64Array.from(g.ei, (v) => BigInt(v)).buffer)],
      );
      assert.ok(Number(req.headers['inference-header-content-length']) > 4096);
      const r = await big.app.inject(req);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json().outputs, ref.outputs);
    } finally {
      await big.app.close();
    }
  });

  it('classifies node_ids sent as INT64 bytes like the JSON form', async () => {
    const json = await s.app.inject({
      method: 'POST',
      url: URL,
      payload: { inputs: [{ name: 'node_ids', shape: [3], datatype: 'INT64', data: [2, 1, 0] }] },
    });
    const { body, headers } = binaryInferRequest([
      { name: 'node_ids', shape: [3], datatype: 'INT64', data: BigInt64Array.from([2n, 1n, 0n]) },
    ]);
    const bin = await s.app.inject({ method: 'POST', url: URL, headers, payload: body });
    assert.equal(bin.statusCode, 200, bin.body);
    assert.deepEqual(bin.json().outputs, json.json().outputs);
    // node 2 → class 1, node 1 → class 1 (routes.test.ts works them out); node 0: h = mean([1,0],[0,3]) → class 1
    assert.deepEqual(bin.json().outputs[1].data, [1, 1, 1]);
  });

  it('returns outputs as binary when asked (binary_data_output, or binary_data per output)', async () => {
    const g = randomSubgraph(4, 6, 5);
    const ref = (await s.app.inject({ method: 'POST', url: URL, payload: jsonBody(g) })).json();
    const { body, headers } = binaryInferRequest(binaryInputs(g), { parameters: { binary_data_output: true } });
    const r = await s.app.inject({ method: 'POST', url: URL, headers, payload: body });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-type'], 'application/octet-stream');
    const jsonLength = Number(r.headers['inference-header-content-length']);
    const bytes = r.rawPayload;
    const head = JSON.parse(bytes.subarray(0, jsonLength).toString('utf8'));
    assert.equal(head.model_name, 'tiny');
    const [probs, preds] = head.outputs;
    assert.deepEqual(probs, {
      name: 'probabilities',
      datatype: 'FP32',
      shape: [4, 2],
      parameters: { binary_data_size: 32 },
    });
    assert.deepEqual(preds, {
      name: 'predictions',
      datatype: 'INT64',
      shape: [4],
      parameters: { binary_data_size: 32 },
    });
    assert.equal(bytes.length, jsonLength + 64);
    const p = new Float32Array(bytes.buffer.slice(bytes.byteOffset + jsonLength, bytes.byteOffset + jsonLength + 32));
    const c = new BigInt64Array(
      bytes.buffer.slice(bytes.byteOffset + jsonLength + 32, bytes.byteOffset + jsonLength + 64),
    );
    assert.deepEqual(Array.from(p), Array.from(Float32Array.from(ref.outputs[0].data)));
    assert.deepEqual(Array.from(c, Number), ref.outputs[1].data);

    // per output: probabilities in binary, predictions as JSON (binary_data overrides binary_data_output)
    const one = binaryInferRequest(binaryInputs(g), {
      parameters: { binary_data_output: true },
      outputs: [{ name: 'predictions', parameters: { binary_data: false } }, { name: 'probabilities' }],
    });
    const r2 = await s.app.inject({ method: 'POST', url: URL, headers: one.headers, payload: one.body });
    const len2 = Number(r2.headers['inference-header-content-length']);
    const head2 = JSON.parse(r2.rawPayload.subarray(0, len2).toString('utf8'));
    assert.deepEqual(
      head2.outputs.map((o: { name: string }) => o.name),
      ['probabilities', 'predictions'],
    );
    assert.deepEqual(head2.outputs[1].data, ref.outputs[1].data);
    assert.equal(head2.outputs[0].data, undefined);
    assert.equal(r2.rawPayload.length, len2 + 32);
  });

  it('logs the same request-log row for a binary request as for the JSON one', async () => {
    const home = tempHome();
    const store = await openLogStore(home);
    const t = await tinyApp({ logStore: store, config: { log_flush_ms: 60_000 } });
    try {
      const since = Date.now();
      const g = randomSubgraph(6, 9, 6);
      await s.app.inject({ method: 'POST', url: URL, payload: jsonBody(g) }); // the other app: not logged here
      const a = await t.app.inject({ method: 'POST', url: URL, payload: jsonBody(g) });
      const { body, headers } = binaryInferRequest(binaryInputs(g));
      const b = await t.app.inject({ method: 'POST', url: URL, headers, payload: body });
      assert.equal(b.statusCode, 200);
      assert.equal(await t.requestLog?.flush(), 2);
      const rows = await readRequestLog(store.db, { since });
      assert.equal(rows.length, 2);
      const [ra, rb] = rows;
      assert.equal(ra.requestId, a.headers['x-request-id']);
      assert.equal(rb.requestId, b.headers['x-request-id']);
      const strip = ({ ts: _t, requestId: _r, inferenceMs: _m, ...rest }: (typeof rows)[number]) => rest;
      assert.deepEqual(strip(rb), strip(ra));
      assert.deepEqual([...(rb.features ?? [])], Array.from(g.x));
    } finally {
      await t.app.close();
      await store.db.close();
    }
  });

  describe('bad binary requests: 400/413/415/422 naming the field, never 500', () => {
    const body2 = [f32(1, 0, 0, 3), i64(0n, 1n)];
    const good = { inputs: [xIn(16), eiIn(16)] };
    interface BadCase {
      name: string;
      req: ReturnType<typeof raw>;
      status: number;
      field: string;
      says: RegExp;
      limit?: number;
    }
    const withHeader = (h: Record<string, string>) => raw(good, body2, h);
    const noHeader = raw(good, body2);
    delete (noHeader.headers as Record<string, string>)['inference-header-content-length'];
    const cases: BadCase[] = [
      {
        name: 'missing Inference-Header-Content-Length',
        req: noHeader,
        status: 400,
        field: 'Inference-Header-Content-Length',
        says: /is required with Content-Type application\/octet-stream/,
      },
      {
        name: 'non-integer Inference-Header-Content-Length',
        req: withHeader({ 'inference-header-content-length': '12.5' }),
        status: 400,
        field: 'Inference-Header-Content-Length',
        says: /non-negative integer byte count, got "12.5"/,
      },
      {
        name: 'negative Inference-Header-Content-Length',
        req: withHeader({ 'inference-header-content-length': '-3' }),
        status: 400,
        field: 'Inference-Header-Content-Length',
        says: /got "-3"/,
      },
      {
        name: 'Inference-Header-Content-Length over the body limit',
        req: withHeader({ 'inference-header-content-length': '1000000' }),
        status: 413,
        field: 'Inference-Header-Content-Length',
        says: /body limit of 4096 bytes/,
        limit: 4096,
      },
      {
        name: 'Inference-Header-Content-Length longer than the body',
        req: withHeader({ 'inference-header-content-length': '1000' }),
        status: 400,
        field: 'Inference-Header-Content-Length',
        says: /is 1000 but the body has only \d+ bytes/,
      },
      {
        name: 'Inference-Header-Content-Length cutting the JSON short',
        req: withHeader({ 'inference-header-content-length': '20' }),
        status: 400,
        field: 'body',
        says: /malformed JSON/,
      },
      {
        name: 'binary_data_size not shape × element size',
        req: raw({ inputs: [xIn(12), eiIn(16)] }, [f32(1, 0, 0), i64(0n, 1n)]),
        status: 422,
        field: 'inputs[0].parameters.binary_data_size',
        says: /is 12 bytes but shape \[2,2\] of FP32 needs 4 × 4 = 16/,
      },
      {
        name: 'binary_data_size add up to less than the bytes sent',
        req: raw(good, [...body2, Buffer.from([0, 0, 0, 0])]),
        status: 400,
        field: 'body',
        says: /binary part after the JSON has 36 bytes but the inputs' binary_data_size add up to 32/,
      },
      {
        name: 'binary part shorter than binary_data_size',
        req: raw(good, [f32(1, 0, 0, 3), i64(0n)]),
        status: 400,
        field: 'body',
        says: /has 24 bytes but .* add up to 32/,
      },
      {
        name: 'both data and binary_data_size',
        req: raw({ inputs: [{ ...xIn(16), data: [1, 0, 0, 3] }, eiIn(16)] }, body2),
        status: 400,
        field: 'inputs[0]',
        says: /has both data and parameters.binary_data_size/,
      },
      {
        name: 'neither data nor binary_data_size',
        req: raw({ inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32' }, eiIn(16)] }, [i64(0n, 1n)]),
        status: 400,
        field: 'inputs[0].data',
        says: /is required/,
      },
      {
        name: 'BYTES has no binary form here',
        req: raw({ inputs: [xIn(16, [2, 2], 'BYTES'), eiIn(16)] }, body2),
        status: 422,
        field: 'inputs[0].datatype',
        says: /"BYTES" has no binary form here; binary tensors may be FP32, FP64, INT32, INT64/,
      },
      {
        name: 'FP16 has no binary form here',
        req: raw({ inputs: [xIn(8, [2, 2], 'FP16'), eiIn(16)] }, [Buffer.alloc(8), i64(0n, 1n)]),
        status: 422,
        field: 'inputs[0].datatype',
        says: /"FP16" has no binary form/,
      },
      {
        name: 'NaN in FP32 bytes',
        req: raw(good, [f32(1, 0, Number.NaN, 3), i64(0n, 1n)]),
        status: 422,
        field: 'inputs[0].binary_data[2]',
        says: /NaN is not a finite number/,
      },
      {
        name: '-Infinity in FP32 bytes',
        req: raw(good, [f32(1, 0, 0, Number.NEGATIVE_INFINITY), i64(0n, 1n)]),
        status: 422,
        field: 'inputs[0].binary_data[3]',
        says: /-Infinity is not a finite number/,
      },
      {
        name: 'FP64 beyond the float32 range',
        req: raw({ inputs: [xIn(32, [2, 2], 'FP64'), eiIn(16)] }, [
          Buffer.from(Float64Array.from([1, 1e39, 0, 3]).buffer),
          i64(0n, 1n),
        ]),
        status: 422,
        field: 'inputs[0].binary_data[1]',
        says: /outside the float32 range/,
      },
      {
        name: 'edge index out of range in INT64 bytes',
        req: raw(good, [f32(1, 0, 0, 3), i64(0n, 7n)]),
        status: 422,
        field: 'inputs[1].binary_data[1]',
        says: /node index 7 is out of range: the subgraph has 2 nodes/,
      },
      {
        name: 'negative edge index in INT64 bytes',
        req: raw(good, [f32(1, 0, 0, 3), i64(-1n, 1n)]),
        status: 422,
        field: 'inputs[1].binary_data[0]',
        says: /node index -1 is out of range/,
      },
      {
        name: 'huge INT64 edge index',
        req: raw(good, [f32(1, 0, 0, 3), i64(0n, 2n ** 62n)]),
        status: 422,
        field: 'inputs[1].binary_data[1]',
        says: /is out of range/,
      },
      {
        name: 'unknown node id in INT64 bytes',
        req: raw(
          { inputs: [{ name: 'node_ids', shape: [2], datatype: 'INT64', parameters: { binary_data_size: 16 } }] },
          [i64(1n, 9n)],
        ),
        status: 422,
        field: 'inputs[0].binary_data[1]',
        says: /unknown node id 9: the graph (of dataset \S+ )?has 3 nodes/,
      },
      {
        name: 'x in INT64 bytes',
        req: raw({ inputs: [xIn(32, [2, 2], 'INT64'), eiIn(16)] }, [Buffer.alloc(32), i64(0n, 1n)]),
        status: 422,
        field: 'inputs[0].datatype',
        says: /x must be FP32/,
      },
      {
        name: 'negative binary_data_size',
        req: raw({ inputs: [xIn(-16), eiIn(16)] }, body2),
        status: 400,
        field: 'inputs[0].parameters.binary_data_size',
        says: /must be >= 0/,
      },
      {
        name: 'empty JSON part',
        req: withHeader({ 'inference-header-content-length': '0' }),
        status: 400,
        field: 'body',
        says: /must be object/,
      },
      {
        name: 'body over serve.body_limit',
        req: raw({ inputs: [xIn(8000, [1000, 2]), eiIn(16)] }, [Buffer.alloc(8000), i64(0n, 1n)]),
        status: 413,
        field: 'body',
        says: /larger than 4096 bytes \(serve.body_limit\)/,
        limit: 4096,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const r = await s.app.inject(c.req);
        const b = r.json();
        assert.equal(r.statusCode, c.status, r.body);
        assert.equal(b.field, c.field, r.body);
        assert.match(b.error, c.says);
        if (c.limit !== undefined) assert.equal(b.limit, c.limit);
        assert.deepEqual(
          Object.keys(b).filter((k) => !['error', 'code', 'field', 'limit'].includes(k)),
          [],
        );
      });
    }

    it('binary_data_size in a plain JSON request (no binary part) is a 400', async () => {
      const r = await s.app.inject({ method: 'POST', url: URL, payload: good });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().field, 'body');
      assert.match(r.json().error, /adds up to 32 bytes but the request has no binary part/);
    });

    it('application/octet-stream stays a 415 on every route but V2 infer', async () => {
      const { body, headers } = binaryInferRequest([
        { name: 'node_ids', shape: [1], datatype: 'INT64', data: BigInt64Array.from([1n]) },
      ]);
      for (const url of ['/predict', '/v1/predict/nodes', '/v1/admin/reload']) {
        const r = await s.app.inject({
          method: 'POST',
          url,
          headers: { ...headers, 'x-api-key': 'secret-key' },
          payload: body,
        });
        assert.equal(r.statusCode, 415, `${url}: ${r.body}`);
        assert.equal(r.json().code, 'E_UNSUPPORTED_MEDIA_TYPE');
        assert.equal(r.json().field, 'content-type');
        assert.doesNotMatch(
          r.json().error,
          /Inference-Header-Content-Length/,
          'only the infer route offers the binary form',
        );
      }
      const text = await s.app.inject({
        method: 'POST',
        url: URL,
        headers: { 'content-type': 'text/plain' },
        payload: 'x',
      });
      assert.equal(text.statusCode, 415);
      assert.match(text.json().error, /application\/octet-stream with Inference-Header-Content-Length/);
      const ok = await s.app.inject({ method: 'POST', url: URL, headers, payload: body });
      assert.equal(ok.statusCode, 200, 'the same body is accepted by V2 infer');
    });

    it('encodeBinaryBody puts the JSON first and the tensors after it, in order', () => {
      const { body, jsonLength } = encodeBinaryBody({ a: 1 }, [Float32Array.from([1.5]), Int32Array.from([-2])]);
      assert.equal(body.subarray(0, jsonLength).toString(), '{"a":1}');
      assert.equal(body.readFloatLE(jsonLength), 1.5);
      assert.equal(body.readInt32LE(jsonLength + 4), -2);
      assert.equal(body.length, jsonLength + 8);
    });
  });
});
