import { DomainError } from '@mlops/event-sourcing';
import type { Request, RequestHandler, Response } from 'express';
import { decodeCursor, encodeCursor, etagOf, MAX_JSON_DEPTH, parseIfMatch, serially, unacceptableJson } from './http';

describe('If-Match', () => {
  it('reads a strong ETag as the version', () => {
    expect(parseIfMatch('"7"')).toBe(7);
    expect(parseIfMatch(' "12" ')).toBe(12);
    expect(parseIfMatch(etagOf(3))).toBe(3);
  });

  it('treats an absent header and * as unconditional', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('*')).toBeUndefined();
  });

  it.each(['W/"7"', '7', '"seven"', '"7", "8"', ''])('refuses %p as a precondition that cannot match (412)', (header) => {
    expect(() => parseIfMatch(header)).toThrow(DomainError);
    try {
      parseIfMatch(header);
    } catch (error) {
      expect((error as DomainError).kind).toBe('precondition_failed');
    }
  });
});

describe('cursors', () => {
  it('round-trips the last id', () => {
    expect(decodeCursor(encodeCursor('experiment:churn'))).toBe('experiment:churn');
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it.each(['not-base64-json', Buffer.from('{"after":{"$gt":""}}').toString('base64url'), Buffer.from('[]').toString('base64url')])(
    'rejects a forged cursor %p as invalid input',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ kind: 'invalid_input' }));
    },
  );
});

describe('bodies no handler should see', () => {
  const nested = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

  it('names the field where a body nests too deep, without overflowing the stack itself', () => {
    expect(unacceptableJson({ config: nested(10_000) })).toEqual({ field: `config${'.a'.repeat(MAX_JSON_DEPTH - 1)}`, message: `nests deeper than ${MAX_JSON_DEPTH} levels` });
    expect(unacceptableJson(JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`))).toMatchObject({ field: Array(MAX_JSON_DEPTH).fill('0').join('.') });
    expect(unacceptableJson({ config: nested(MAX_JSON_DEPTH - 1) })).toBeNull();
  });

  it.each([
    ['a NUL', { name: 'a\u0000b' }, 'name', /NUL/],
    ['a lone high surrogate', { items: [{ text: 'ok' }, { text: 'x\ud800' }] }, 'items.1.text', /surrogate/],
    ['a lone low surrogate', JSON.parse('{"description": "\\udc00 tail"}'), 'description', /surrogate/],
    ['a NUL in a key', { variables: { 'a\u0000': 1 } }, 'variables', /key that contains a NUL/],
  ])('names the field that holds %s', (_label, body, field, message) => {
    expect(unacceptableJson(body)).toEqual({ field, message: expect.stringMatching(message) });
  });

  it('accepts ordinary text, emoji (paired surrogates) included', () => {
    expect(unacceptableJson({ name: 'Grüße 😀', tags: ['a', 'b'], n: 1, ok: true, none: null })).toBeNull();
    expect(unacceptableJson(undefined)).toBeNull();
    expect(unacceptableJson({ owner: 'x\u0000' }, MAX_JSON_DEPTH, 'query')).toMatchObject({ field: 'query.owner' });
  });
});

describe('serially', () => {
  const run = (handler: RequestHandler) =>
    new Promise<unknown>((resolve) => handler({} as Request, {} as Response, (error?: unknown) => resolve(error ?? 'done')));

  it('runs the handlers in order, then goes on', async () => {
    const order: number[] = [];
    const step = (n: number): RequestHandler => (_req, _res, next) => (order.push(n), next());
    expect(await run(serially(step(1), step(2), step(3)))).toBe('done');
    expect(order).toEqual([1, 2, 3]);
  });

  it('stops at an error passed on, thrown or rejected, and hands it to Express', async () => {
    const failure = new Error('no');
    const never: RequestHandler = () => {
      throw new Error('not reached');
    };
    expect(await run(serially((_req, _res, next) => next(failure), never))).toBe(failure);
    expect(await run(serially(() => { throw failure; }, never))).toBe(failure);
    expect(await run(serially(async () => { throw failure; }, never))).toBe(failure);
  });

  it('stops where a handler answers without calling next', async () => {
    let reached = false;
    const answered = serially(() => undefined, (_req, _res, next) => ((reached = true), next()));
    answered({} as Request, {} as Response, () => (reached = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(reached).toBe(false);
  });
});
