import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('writes object keys sorted at every depth, so key order never changes the text', () => {
    const a = { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } };
    const b = { a: { c: 'x', d: [3, { y: null, z: true }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it('leaves undefined fields out and keeps array order', () => {
    expect(canonicalJson({ keep: 'v', drop: undefined })).toBe('{"keep":"v"}');
    expect(canonicalJson([2, 1, 'é'])).toBe('[2,1,"é"]');
  });

  it('keeps the render ETag hash of (template id, version, variables) as before', () => {
    // The text the hand-written serializer produced for this input: ETags clients hold stay valid.
    const text = canonicalJson(['tpl', 3, { question: 'why?', context: { lang: 'en', n: 2 } }]);
    expect(text).toBe('["tpl",3,{"context":{"lang":"en","n":2},"question":"why?"}]');
    expect(createHash('sha256').update(text).digest('base64url')).toHaveLength(43);
  });

  it('refuses a circular value instead of hashing a placeholder', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(TypeError);
  });
});
