import { type IncomingMessage, maxHeaderSize, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServeConfig } from '../config/sections/serve.js';
import { ErrorCodes, type GnnopsError } from '../util/errors.js';
import { requestError, toBody } from './errors.js';

/**
 * How long a socket that got an error answer stays open to read what the client still sends. Closing a socket
 * with unread bytes makes the kernel send a reset, and a reset can discard the answer before the client reads it.
 */
const LINGER_MS = 2000;

/** The longest an error answer waits for the rest of a body. */
const DRAIN_MS = 5000;

/** A client that sends nothing for this long has stopped sending; the error answer goes out then. */
const IDLE_MS = 1000;

/**
 * Read and drop what is left of a request body, until it ends, `maxBytes` more arrived, nothing arrived for IDLE_MS
 * or `ms` passed. An error answered before the body was read (a declared or reached body limit, a wrong content
 * type, a missing key) closes the connection; bytes still unread then make the kernel reset it, and the reset can
 * destroy the answer on its way. Reading the rest first lets the client finish sending and read the answer.
 */
function drainBody(req: IncomingMessage, maxBytes: number, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    let idle = setTimeout(() => done(), IDLE_MS);
    const done = () => {
      clearTimeout(timer);
      clearTimeout(idle);
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      clearTimeout(idle);
      if (seen > maxBytes) done();
      else idle = setTimeout(done, IDLE_MS);
    };
    const timer = setTimeout(done, ms);
    req.on('data', onData);
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}

/**
 * Fastify `onSend` hook: before an error answer goes out on a request whose body has not been read in full, read
 * the rest of it (up to 4 × serve.body_limit or 64 MB more, whichever is larger; at most DRAIN_MS; until the
 * client pauses for IDLE_MS), so that the answer reaches the client.
 */
export function readRestBeforeError(bodyLimit: number) {
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const raw = req.raw;
    if (reply.statusCode >= 400 && !raw.complete && !raw.readableEnded && !raw.destroyed) {
      await drainBody(raw, Math.max(4 * bodyLimit, 64 << 20), DRAIN_MS);
    }
    return payload;
  };
}

/** Errors the HTTP parser (llhttp) or the connection checker report for a request it cannot hand to Fastify. */
interface ConnectionError extends Error {
  code?: string;
  reason?: string;
}

function describe(
  err: ConnectionError,
  config: ServeConfig,
  afterBody: boolean,
): { status: number; error: GnnopsError } {
  if (afterBody && err.code?.startsWith('HPE_')) {
    return {
      status: 400,
      error: requestError(
        ErrorCodes.BAD_REQUEST,
        'content-length',
        `the bytes after the body are not an HTTP request (${reasonOf(err)}): is content-length shorter than the body?`,
      ),
    };
  }
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        error: requestError(
          ErrorCodes.BAD_REQUEST,
          'request',
          `not received in full within ${config.request_timeout_s} s (serve.request_timeout_s); send the body faster or raise the limit`,
          { limit: config.request_timeout_s },
        ),
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        error: requestError(
          ErrorCodes.LIMIT_EXCEEDED,
          'headers',
          `request headers are larger than ${maxHeaderSize} bytes`,
          {
            limit: maxHeaderSize,
          },
        ),
      };
    case 'HPE_INVALID_EOF_STATE':
      return {
        status: 400,
        error: requestError(
          ErrorCodes.BAD_REQUEST,
          'content-length',
          'the connection ended before the whole body arrived (the body is shorter than content-length, or the chunked body has no final chunk)',
        ),
      };
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return {
        status: 400,
        error: requestError(
          ErrorCodes.BAD_REQUEST,
          'content-length',
          'must not be sent together with transfer-encoding: chunked',
        ),
      };
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_STRICT':
    case 'HPE_CR_EXPECTED':
    case 'HPE_LF_EXPECTED':
      return {
        status: 400,
        error: requestError(ErrorCodes.BAD_REQUEST, 'transfer-encoding', `malformed chunked body (${reasonOf(err)})`),
      };
    default:
      return {
        status: 400,
        error: requestError(ErrorCodes.BAD_REQUEST, 'request', `malformed HTTP request (${reasonOf(err)})`),
      };
  }
}

const reasonOf = (err: ConnectionError) => err.reason ?? err.message;

function errorResponse(status: number, error: GnnopsError): string {
  const body = JSON.stringify(toBody(error));
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'content-type: application/json; charset=utf-8\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'connection: close\r\n\r\n' +
    body
  );
}

/** Half-close after the answer, keep reading (and dropping) what still arrives for a while, then close. */
function endAndLinger(socket: Socket, payload: string): void {
  socket.end(payload);
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

const answered = new WeakSet<Socket>();

/**
 * Fastify's `clientErrorHandler`: the HTTP parser rejected bytes on a connection (malformed request line or chunk,
 * the connection ended inside a body, bytes after a body that content-length said was shorter, a request that did
 * not arrive within serve.request_timeout_s). Answer once with the server's `{error, code, field}` body and close.
 * When the request before the bad bytes was received in full, its own answer goes out first.
 */
export function clientErrorHandler(config: ServeConfig) {
  return (err: ConnectionError, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
    answered.add(socket);
    // Node keeps the response of the request being served on the socket; no public API exposes it.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    const afterBody = (inFlight?.req as IncomingMessage | undefined)?.complete === true;
    const { status, error } = describe(err, config, afterBody);
    const payload = errorResponse(status, error);
    let sent = false;
    const send = () => {
      if (sent) return; // the in-flight answer reports both finish and close
      sent = true;
      if (socket.writable) endAndLinger(socket, payload);
      else socket.destroy();
    };
    if (!inFlight || inFlight.writableFinished) send();
    else if (afterBody) {
      // its body arrived whole: let its answer go out first, then report the bytes that followed
      inFlight.once('finish', () => setImmediate(send));
      inFlight.once('close', () => setImmediate(send));
    } else if (!inFlight.headersSent) send();
    else socket.destroy(); // an answer is half written: another status line would corrupt it
  };
}

/**
 * Answer an `Expect` header other than 100-continue with a 417 and the JSON error body, then close (Node's own
 * answer has no body and keeps the connection open while the client waits to send its body).
 */
export function answerUnknownExpectations(server: Server): void {
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const error = requestError(
      ErrorCodes.BAD_REQUEST,
      'expect',
      `${JSON.stringify(req.headers.expect ?? '')} is not supported; send no Expect header or "100-continue"`,
    );
    const body = JSON.stringify(toBody(error));
    res.shouldKeepAlive = false;
    res.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    res.end(body);
  });
}

/**
 * Fastify options for the connection level: the request timeout (checked every second, so a 408 comes at most a
 * second late) and the parser-error answers above. Fastify answers 503 to requests that arrive while it closes
 * (`return503OnClosing`, on by default).
 */
export function connectionOptions(config: ServeConfig) {
  const requestTimeout = Math.round(config.request_timeout_s * 1000);
  return {
    requestTimeout,
    http: {
      headersTimeout: Math.min(60_000, requestTimeout),
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.round(requestTimeout / 4))),
    },
    clientErrorHandler: clientErrorHandler(config),
  };
}
