import type { Request, Response } from 'express';
import { canonicalActor, sameActor } from './identity';
import { currentContext, requestContextMiddleware } from './request-context';

describe('canonical actors', () => {
  it.each([
    ['EVE', 'eve'],
    ['  eve\t', 'eve'],
    ['ｅｖｅ', 'eve'],
    ['ＥＶＥ ', 'eve'],
    ['e\u200Bv\u00ADe', 'eve'],
    ['Ana@Example.COM', 'ana@example.com'],
    ['straße', 'strasse'],
    ['ﬁnance-bot', 'finance-bot'],
  ])('%j is %j', (actor, canonical) => {
    expect(canonicalActor(actor)).toBe(canonical);
  });

  it('tells people apart by their canonical form only', () => {
    expect(sameActor('eve', 'EVE')).toBe(true);
    expect(sameActor('eve', 'ｅｖｅ ')).toBe(true);
    expect(sameActor('eve', 'eve2')).toBe(false);
    expect(sameActor('eve', null)).toBe(false);
    expect(sameActor(undefined, undefined)).toBe(false);
    // NFKC keeps other scripts apart: Cyrillic е is not Latin e.
    expect(sameActor('eve', 'еve')).toBe(false);
  });
});

describe('the actor as it enters a request', () => {
  const actorFrom = (header: string | undefined) => {
    const req = { header: (name: string) => (name === 'x-actor' ? header : undefined) } as unknown as Request;
    const res = { setHeader: () => undefined } as unknown as Response;
    let actor: string | undefined;
    requestContextMiddleware(req, res, () => (actor = currentContext()?.actor));
    return actor;
  };
  // Node hands header bytes over as Latin-1: this is how a client's UTF-8 header arrives.
  const asSent = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

  it.each([
    ['EVE', 'eve'],
    ['eve ', 'eve'],
    [asSent('ｅｖｅ'), 'eve'],
    [asSent('Ana@Example.com'), 'ana@example.com'],
    ['ev e', 'anonymous'],
    [asSent('José'), 'anonymous'],
    [undefined, 'anonymous'],
  ])('%j is recorded as %j', (header, actor) => {
    expect(actorFrom(header)).toBe(actor);
  });
});
