import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startServer } from '../../src/jobs/serve-server.js';
import { exchange, parseResponses, type RawResponse } from './fixtures/raw-http.js';
import { tempHome, tinyBody, tinyModel } from './helpers.js';

/** The last response is `status`, JSON, with an error message naming `field`, and it said it would close. */
function assertErrorThenClose(responses: RawResponse[], status: number, field: string): RawResponse {
  assert.ok(responses.length > 0, 'at least one response');
  const last = responses[responses.length - 1];
  assert.equal(last.status, status, JSON.stringify(last.body));
  assert.match(last.headers['content-type'], /^application\/json/);
  assert.equal(last.headers.connection, 'close');
  assert.equal(typeof last.body.error, 'string');
  assert.match(String(last.body.code), /^E_/);
  assert.equal(last.body.field, field);
  return last;
}

const LIMIT = 1024;
const json = JSON.stringify(tinyBody);
/** A valid /predict body of ~2.4 KB: over the 1 KB limit. */
const big = JSON.stringify({ x: Array.from({ length: 400 }, () => [0, 0]), edge_index: [[], []] });
const head = (headers: string) =>
  `POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n${headers}\r\n`;

describe('every request shape gets a complete HTTP answer, then the connection closes (raw sockets)', () => {
  let server: RunningServer;
  before(async () => {
    tempHome(); // the dashboard opens the workspace store
    server = await startServer({
      model: tinyModel(),
      config: { port: 0, host: '127.0.0.1', log_requests: false, body_limit: LIMIT, request_timeout_s: 2 },
      handleSignals: false,
      defaultMetrics: false,
      apiKey: 'secret-key',
    });
  });
  after(async () => {
    await server.close();
  });

  it('a well-formed request still gets its 200 (the harness reads real answers)', async () => {
    const { raw } = await exchange(server.port, [
      head(`Content-Length: ${json.length}\r\nConnection: close\r\n`),
      json,
    ]);
    const [res] = parseResponses(raw);
    assert.equal(res.status, 200);
  });

  it('declared content-length over the limit: 413 naming the limit, before the body is read', async () => {
    const { raw } = await exchange(server.port, [head(`Content-Length: ${big.length}\r\n`), big]);
    const res = assertErrorThenClose(parseResponses(raw), 413, 'body');
    assert.equal((res.body as { limit?: number }).limit, LIMIT);
  });

  it('declared content-length over the limit while 16 clients keep sending 8 MB each: every 413 arrives', async () => {
    // closing with unread bytes resets the connection, and the reset can destroy the answer: the rest is read first
    const mb = Buffer.alloc(1 << 20, 0x20);
    const results = await Promise.all(
      Array.from({ length: 16 }, () =>
        exchange(server.port, [head(`Content-Length: ${8 << 20}\r\n`), ...Array.from({ length: 8 }, () => mb)]),
      ),
    );
    for (const { raw } of results) assertErrorThenClose(parseResponses(raw), 413, 'body');
  });

  it('binary V2 body (octet-stream) with a declared content-length over the limit: 413', async () => {
    const { raw } = await exchange(server.port, [
      `POST /v2/models/tiny/infer HTTP/1.1\r\nHost: test\r\nContent-Type: application/octet-stream\r\nInference-Header-Content-Length: 2\r\nContent-Length: ${big.length}\r\n\r\n`,
      big,
    ]);
    assertErrorThenClose(parseResponses(raw), 413, 'body');
  });

  it('a wrong content type on an 8 MB body: the 415 arrives', async () => {
    // a 415 keeps the connection open (the body is read); the client asks to close it to end the exchange
    const mb = Buffer.alloc(1 << 20, 0x20);
    const { raw } = await exchange(server.port, [
      `POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${8 << 20}\r\n\r\n`,
      ...Array.from({ length: 8 }, () => mb),
    ]);
    assertErrorThenClose(parseResponses(raw), 415, 'content-type');
  });

  it('chunked body (no content-length) over the limit: 413 once the limit is passed while reading', async () => {
    const chunk = big.slice(0, 600);
    const c = `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    const { raw } = await exchange(server.port, [head('Transfer-Encoding: chunked\r\n'), c, c, c, c]);
    assertErrorThenClose(parseResponses(raw), 413, 'body');
  });

  it('truncated body (content-length larger than what is sent, then the client ends): 400', async () => {
    const { raw } = await exchange(server.port, [head('Content-Length: 500\r\n'), json], { end: true });
    const res = assertErrorThenClose(parseResponses(raw), 400, 'content-length');
    assert.match(String(res.body.error), /ended before the whole body/);
  });

  it('truncated chunked body (no final chunk, then the client ends): 400', async () => {
    const { raw } = await exchange(server.port, [head('Transfer-Encoding: chunked\r\n'), '5\r\n{"x":\r\n'], {
      end: true,
    });
    assertErrorThenClose(parseResponses(raw), 400, 'content-length');
  });

  it('content-length shorter than the body: the cut (malformed) body gets its 400 and the connection closes', async () => {
    const { raw } = await exchange(server.port, [head('Content-Length: 10\r\n'), json]);
    const res = assertErrorThenClose(parseResponses(raw), 400, 'body');
    assert.match(String(res.body.error), /malformed JSON/);
  });

  it('content-length shorter than the body, the cut body valid: its 200, then a 400 for the bytes after it', async () => {
    const { raw } = await exchange(server.port, [head(`Content-Length: ${json.length}\r\n`), `${json}, "extra": 1}`]);
    const responses = parseResponses(raw);
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 400],
    );
    const res = assertErrorThenClose(responses, 400, 'content-length');
    assert.match(String(res.body.error), /shorter than the body/);
  });

  it('content-length together with transfer-encoding: chunked: 400', async () => {
    const { raw } = await exchange(server.port, [
      head('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n'),
      '0\r\n\r\n',
    ]);
    assertErrorThenClose(parseResponses(raw), 400, 'content-length');
  });

  it('malformed chunk size: 400 naming transfer-encoding', async () => {
    const { raw } = await exchange(server.port, [head('Transfer-Encoding: chunked\r\n'), 'zz\r\n']);
    assertErrorThenClose(parseResponses(raw), 400, 'transfer-encoding');
  });

  it('an Expect header other than 100-continue: 417 with a JSON error', async () => {
    const { raw } = await exchange(server.port, [head(`Expect: something-else\r\nContent-Length: ${json.length}\r\n`)]);
    const res = assertErrorThenClose(parseResponses(raw), 417, 'expect');
    assert.match(String(res.body.error), /something-else/);
  });

  it('a body slower than serve.request_timeout_s: 408 with a JSON error', async () => {
    const { raw, ms } = await exchange(server.port, [head(`Content-Length: ${json.length}\r\n`), json.slice(0, 5)]);
    const res = assertErrorThenClose(parseResponses(raw), 408, 'request');
    assert.match(String(res.body.error), /serve\.request_timeout_s/);
    assert.ok(ms >= 1950, `not before the timeout (${ms} ms)`);
  });

  it('headers over the 16 KB parser limit: 431 naming the limit', async () => {
    const { raw } = await exchange(server.port, [
      head(`X-Padding: ${'a'.repeat(20_000)}\r\nContent-Length: 2\r\n`),
      '{}',
    ]);
    const res = assertErrorThenClose(parseResponses(raw), 431, 'headers');
    assert.equal((res.body as { limit?: number }).limit, 16384);
  });

  it('a request line that is not HTTP: 400', async () => {
    const { raw } = await exchange(server.port, ['GARBAGE\r\n\r\n']);
    assertErrorThenClose(parseResponses(raw), 400, 'request');
  });
});
