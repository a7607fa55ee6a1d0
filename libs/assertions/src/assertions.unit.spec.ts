import { Assertion, assertionProblem, compilePattern, explainAssertion, runAssertion } from './assertions';

const check = (output: string, assertion: Assertion) => runAssertion(output, assertion).pass;

describe('promptfoo-style text assertions', () => {
  it.each([
    ['equals', 'Paris', { type: 'equals', value: 'Paris' }, true],
    ['equals is case-sensitive', 'paris', { type: 'equals', value: 'Paris' }, false],
    ['contains', 'The capital is Paris.', { type: 'contains', value: 'Paris' }, true],
    ['icontains', 'THE CAPITAL IS PARIS', { type: 'icontains', value: 'paris' }, true],
    ['contains is case-sensitive', 'THE CAPITAL IS PARIS', { type: 'contains', value: 'paris' }, false],
    ['regex', 'order #12345 shipped', { type: 'regex', value: '#\\d{5}\\b' }, true],
    ['regex without a match', 'order shipped', { type: 'regex', value: '#\\d{5}' }, false],
    ['starts-with', 'Answer: 42', { type: 'starts-with', value: 'Answer:' }, true],
    ['is-json on an object', '{"a": [1, 2]}', { type: 'is-json' }, true],
    ['is-json on prose', 'not json', { type: 'is-json' }, false],
    ['levenshtein within the threshold', 'kitten', { type: 'levenshtein', value: 'sitting', threshold: 3 }, true],
    ['levenshtein beyond the threshold', 'kitten', { type: 'levenshtein', value: 'sitting', threshold: 2 }, false],
    ['levenshtein default threshold 5', 'abcdefgh', { type: 'levenshtein', value: 'abc' }, true],
    ['not-contains', 'safe answer', { type: 'not-contains', value: 'password' }, true],
    ['not-contains failing', 'the password is x', { type: 'not-contains', value: 'password' }, false],
    ['not-is-json', 'plain', { type: 'not-is-json' }, true],
    ['not-regex', 'abc', { type: 'not-regex', value: '^a' }, false],
    ['not-equals', 'a', { type: 'not-equals', value: 'b' }, true],
    ['not-levenshtein', 'kitten', { type: 'not-levenshtein', value: 'sitting', threshold: 2 }, true],
  ] as [string, string, Assertion, boolean][])('%s', (_label, output, assertion, expected) => {
    expect(check(output, assertion)).toBe(expected);
  });

  it('reports malformed assertions before they run', () => {
    expect(assertionProblem({ type: 'regex', value: '(' })).toMatch(/invalid regex/);
    expect(assertionProblem({ type: 'contains' })).toMatch(/needs a string value/);
    expect(assertionProblem({ type: 'equals', value: 'a', threshold: 2 })).toMatch(/levenshtein only/);
    expect(assertionProblem({ type: 'similar' as never, value: 'a' })).toMatch(/unknown assertion type/);
    expect(assertionProblem({ type: 'not-is-json' })).toBeNull();
    expect(assertionProblem({ type: 'regex', value: '^(ab)+[a-z+]*\\(x+\\)+$' })).toBeNull();
    expect(assertionProblem({ type: 'regex', value: '(?=a)b' })).toMatch(/invalid regex \(RE2 syntax\)/);
    expect(assertionProblem({ type: 'regex', value: '(a)\\1' })).toMatch(/invalid regex/);
    expect(assertionProblem({ type: 'regex', value: '[a-z]{1000}' })).toMatch(/more than 1000/);
    expect(assertionProblem({ type: 'regex', value: 'x'.repeat(1001) })).toMatch(/longer than/);
    expect(assertionProblem({ type: 'contains', value: 'x'.repeat(10_001) })).toMatch(/longer than/);
  });

  it('explains each result, negation and malformed assertions included', () => {
    expect(explainAssertion('kitten', { type: 'levenshtein', value: 'sitting', threshold: 2 })).toEqual({
      type: 'levenshtein',
      pass: false,
      reason: 'Levenshtein distance 3 > 2',
    });
    expect(explainAssertion('all good', { type: 'not-contains', value: 'error' })).toEqual({
      type: 'not-contains',
      pass: true,
      reason: 'not: output does not contain "error"',
    });
    expect(explainAssertion('{a: 1}', { type: 'is-json' })).toMatchObject({ pass: false, reason: 'output is not valid JSON' });
    expect(explainAssertion('x', { type: 'regex', value: '(' })).toMatchObject({ pass: false, reason: expect.stringMatching(/invalid regex/) });
  });

  it('gives the same verdict explained or not, with or without a compiled pattern', () => {
    const outputs = ['Paris', 'paris', '{"a":1}', 'order #12345', '', 'kitten'];
    const assertions: Assertion[] = [
      { type: 'equals', value: 'Paris' },
      { type: 'not-icontains', value: 'PAR' },
      { type: 'regex', value: '#\\d+' },
      { type: 'not-is-json' },
      { type: 'starts-with', value: 'p' },
      { type: 'levenshtein', value: 'sitting', threshold: 3 },
    ];
    for (const output of outputs) {
      for (const assertion of assertions) {
        const plain = runAssertion(output, assertion).pass;
        expect(explainAssertion(output, assertion).pass).toBe(plain);
        if (assertion.type.endsWith('regex')) expect(runAssertion(output, assertion, compilePattern(assertion.value!)).pass).toBe(plain);
      }
    }
  });

  // Backtracking engines take exponential time on these; RE2 answers in time linear in the output.
  const CATASTROPHIC: [string, string][] = [
    ['^(a|a)*$', `${'a'.repeat(32)}!`],
    ['(a+)+$', `${'a'.repeat(10_000)}!`],
    ['(x+x+)+y', 'x'.repeat(10_000)],
    ['^(([a-z])+.)+[A-Z]([a-z])+$', `${'a'.repeat(10_000)}!`],
    ['(\\w*x?)*y', 'x'.repeat(10_000)],
  ];

  it('keeps RE2 matching what the backtracking engine matched on ordinary input', () => {
    expect(check('aaaa', { type: 'regex', value: '^(a|a)*$' })).toBe(true);
    expect(check('xxxy', { type: 'regex', value: '(x+x+)+y' })).toBe(true);
    expect(check('ab Cd', { type: 'regex', value: '^(([a-z])+.)+[A-Z]([a-z])+$' })).toBe(true);
    expect(check('café', { type: 'regex', value: '\\p{L}+é$' })).toBe(true);
  });

  it.each(CATASTROPHIC)('accepts and runs the catastrophic pattern %s on an adversarial output', (pattern, output) => {
    expect(assertionProblem({ type: 'regex', value: pattern })).toBeNull();
    expect(runAssertion(output, { type: 'regex', value: pattern }).pass).toBe(false);
    expect(explainAssertion(output, { type: 'not-regex', value: pattern })).toMatchObject({ pass: true });
    expect(runAssertion(output, { type: 'regex', value: pattern }, compilePattern(pattern)).pass).toBe(false);
  });
});
