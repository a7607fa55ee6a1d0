import { DomainError } from '@mlops/event-sourcing';
import { decodeCursor, encodeCursor, etagOf, parseIfMatch } from './http';

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
