import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ConcurrencyError, conflict, invalidState, notFound, preconditionFailed } from '@mlops/event-sourcing';
import type { ArgumentsHost } from '@nestjs/common';
import { mongo } from 'mongoose';
import pino from 'pino';
import { isStoreUnavailable, ProblemDetailsFilter, STORE_RETRY_AFTER_SECONDS, toProblem, ValidationProblem } from './problem-details';

describe('problem details (RFC 9457)', () => {
  it.each([
    [notFound('no experiment x'), 404],
    [conflict('exists'), 409],
    [new ConcurrencyError('experiment:x', 3), 409],
    [preconditionFailed('stale'), 412],
    [invalidState('active → pending is not allowed', [{ field: 'status', message: 'illegal transition' }]), 422],
  ])('maps %p to %i', (error, status) => {
    const problem = toProblem(error);
    expect(problem).toMatchObject({ status, detail: error.message, type: expect.stringMatching(/^urn:mlops:problem:/) });
    expect(problem.title.length).toBeGreaterThan(0);
  });

  it('keeps per-field errors of a domain error', () => {
    expect(toProblem(invalidState('no', [{ field: 'status', message: 'illegal' }])).errors).toEqual([
      { field: 'status', message: 'illegal' },
    ]);
  });

  it('lists every invalid field of a validation failure', () => {
    const problem = toProblem(new ValidationProblem([{ field: 'name', message: 'must be a string' }]));
    expect(problem).toMatchObject({ status: 400, errors: [{ field: 'name', message: 'must be a string' }] });
  });

  it('passes HTTP exceptions through with their status', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x')).status).toBe(404);
    expect(toProblem(new PayloadTooLargeException()).status).toBe(413);
    expect(toProblem(new BadRequestException(['a', 'b'])).detail).toBe('a; b');
  });

  it('hides the details of unexpected errors behind a 500', () => {
    const problem = toProblem(new Error('connection string mongodb://user:secret@db'));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('secret');
  });

  describe('a store outage', () => {
    type ErrorClass = new (...args: any[]) => Error;
    const { MongoNetworkError, MongoNetworkTimeoutError, MongoServerError, MongoServerSelectionError, MongoTopologyClosedError } = mongo as never as Record<string, ErrorClass>;
    // The driver raises it when a pool is cleared after a failure; it is not among the package's exports.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PoolClearedError } = require('mongodb/lib/cmap/errors') as Record<string, ErrorClass>;
    const noServers = { type: 'Unknown', servers: new Map() };
    const OUTAGES: [string, Error][] = [
      ['server selection timed out', new MongoServerSelectionError('Server selection timed out after 10000 ms', noServers)],
      ['a dropped connection', new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed')],
      ['a socket timeout', new MongoNetworkTimeoutError('connection timed out')],
      ['a cleared pool', new PoolClearedError({ address: '127.0.0.1:27017', serverError: new MongoNetworkError('reset') })],
      ['a closed topology', new MongoTopologyClosedError()],
      ['a primary stepping down', new MongoServerError({ message: 'not primary', code: 10107 })],
      ['a wrapped network error', new Error('append failed', { cause: new MongoNetworkError('ECONNREFUSED') })],
    ];

    /** What the one filter sends for an exception, through a response that records it. */
    function filtered(exception: unknown) {
      const sent: { status?: number; headers: Record<string, string>; type?: string; body?: string } = { headers: {} };
      const res = {
        headersSent: false,
        setHeader: (name: string, value: string) => (sent.headers[name.toLowerCase()] = value),
        status(code: number) { sent.status = code; return this; },
        type(type: string) { sent.type = type; return this; },
        send(body: string) { sent.body = body; return this; },
      };
      const host = { switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ originalUrl: '/api/v1/x' }) }) } as unknown as ArgumentsHost;
      new ProblemDetailsFilter(pino({ level: 'silent' })).catch(exception, host);
      return { ...sent, body: JSON.parse(sent.body!) };
    }

    it.each(OUTAGES)('answers 503 problem+json with Retry-After to %s', (_label, error) => {
      expect(isStoreUnavailable(error)).toBe(true);
      const sent = filtered(error);
      expect(sent).toMatchObject({ status: 503, type: 'application/problem+json', headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) } });
      expect(sent.body).toMatchObject({ status: 503, type: 'urn:mlops:problem:unavailable', instance: '/api/v1/x' });
    });

    it.each([
      ['a duplicate key', new MongoServerError({ message: 'E11000 duplicate key', code: 11000 })],
      ['a programming error', new TypeError('x is undefined')],
      ['a domain error', notFound('no experiment x')],
    ])('keeps %s what it is', (_label, error) => {
      expect(isStoreUnavailable(error)).toBe(false);
      const sent = filtered(error);
      expect(sent.status).not.toBe(503);
      expect(sent.headers['retry-after']).toBeUndefined();
    });
  });
});

