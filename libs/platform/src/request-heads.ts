import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, problem, sendProblem } from './problem-details';

/** How long a refused connection stays open to take in the rest of what the caller is sending. */
const REFUSED_LINGER_MS = 5_000;

/** Which answer a request the HTTP parser itself refused gets, by the parser's error code. */
function refusal(code: string | undefined): { status: number; detail: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, detail: 'The request line and headers are larger than this server parses' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, detail: 'The request did not arrive in time' };
    default:
      return { status: 400, detail: 'The request is not valid HTTP/1.1' };
  }
}

/**
 * Node's HTTP parser refuses a request whose line and headers pass `maxHeaderBytes` before any
 * handler runs, with a bodiless 431 and an immediate close: a caller still sending its request then
 * gets a connection reset instead of the answer. Here the answer is problem+json, the connection
 * is half-closed after it and what still arrives is read and dropped, so the caller reads the answer.
 */
export function answerRefusedRequests(server: Server, maxHeaderBytes: number): void {
  // Read by each new connection's parser (the option http.createServer takes, after the fact).
  (server as Server & { maxHeaderSize?: number }).maxHeaderSize = maxHeaderBytes;
  const answered = new WeakSet<Socket>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // The parser keeps reading (and refusing) the rest of the request: one answer per connection.
    if (answered.has(socket)) return;
    answered.add(socket);
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, detail } = refusal(error.code);
    const body = JSON.stringify(problem(status, detail));
    socket.end(
      [
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
        `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
    setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
  });
}

export interface ForwardedHeadLimits {
  /** The request target (path and query), in bytes as received. */
  maxUrlBytes: number;
  /** The header section (names, values and their separators), in bytes as received. */
  maxHeaderBytes: number;
}

/**
 * A proxy's own bounds on what it forwards, checked once the request is parsed (so the answer is
 * an ordinary one): 414 for a longer request target, 431 for a larger header section.
 */
export function refuseOversizedHeads({ maxUrlBytes, maxHeaderBytes }: ForwardedHeadLimits) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (Buffer.byteLength(req.originalUrl) > maxUrlBytes) {
      sendProblem(res, problem(414, `The request target is longer than ${maxUrlBytes} bytes`));
      return;
    }
    // rawHeaders alternates names and values; each line is `name: value\r\n` (two separators of two bytes).
    const headerBytes = req.rawHeaders.reduce((bytes, part) => bytes + Buffer.byteLength(part) + 2, 0);
    if (headerBytes > maxHeaderBytes) {
      sendProblem(res, problem(431, `The request headers are larger than ${maxHeaderBytes} bytes`));
      return;
    }
    next();
  };
}
