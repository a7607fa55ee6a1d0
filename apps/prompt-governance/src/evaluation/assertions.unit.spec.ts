import { assertionProblem, hasNestedQuantifier, runAssertion } from './assertions';

const pass = (type: string, output: string, value?: string, threshold?: number) => runAssertion({ type, value, threshold }, output).pass;

describe('assertions', () => {
  it.each([
    ['equals', 'Paris', 'Paris', true],
    ['equals', 'paris', 'Paris', false],
    ['contains', 'The capital is Paris.', 'Paris', true],
    ['contains', 'The capital is paris.', 'Paris', false],
    ['icontains', 'The capital is PARIS.', 'paris', true],
    ['icontains', 'Lyon', 'paris', false],
    ['regex', 'Order #12345 shipped', '#\\d{5}\\b', true],
    ['regex', 'Order #1234 shipped', '#\\d{5}\\b', false],
    ['starts-with', 'Answer: yes', 'Answer:', true],
    ['starts-with', 'The answer: yes', 'Answer:', false],
    ['not-contains', 'all good', 'error', true],
    ['not-contains', 'an error', 'error', false],
    ['not-equals', 'a', 'b', true],
  ])('%s on %j with %j → %s', (type, output, value, expected) => {
    expect(pass(type, output, value)).toBe(expected);
  });

  it('checks JSON validity', () => {
    expect(pass('is-json', '{"a": [1, 2]}')).toBe(true);
    expect(pass('is-json', '{a: 1}')).toBe(false);
    expect(pass('not-is-json', 'plain text')).toBe(true);
  });

  it('passes levenshtein at or under the threshold (default 5)', () => {
    expect(pass('levenshtein', 'kitten', 'sitting')).toBe(true); // distance 3
    expect(pass('levenshtein', 'kitten', 'sitting', 2)).toBe(false);
    expect(pass('levenshtein', 'kitten', 'sitting', 3)).toBe(true);
    expect(runAssertion({ type: 'levenshtein', value: 'sitting', threshold: 2 }, 'kitten').reason).toBe('Levenshtein distance 3 > 2');
  });

  it('says why an assertion cannot run', () => {
    expect(assertionProblem({ type: 'contains-all', value: 'x' })).toMatch(/unknown/);
    expect(assertionProblem({ type: 'contains' })).toMatch(/needs a string value/);
    expect(assertionProblem({ type: 'regex', value: '(' })).toMatch(/invalid regex/);
    expect(assertionProblem({ type: 'not-is-json' })).toBeNull();
    expect(assertionProblem({ type: 'regex', value: '(a+)+$' })).toMatch(/nests quantifiers/);
    expect(assertionProblem({ type: 'regex', value: 'x'.repeat(1001) })).toMatch(/longer than/);
  });

  it('spots nested quantifiers, not quantifiers side by side or in classes', () => {
    for (const unsafe of ['(a+)+', '(a*)*b', '(\\w+\\s?)*$', '((ab)+c)+', '(x{2,})+', '(?:a|b+)*']) expect(hasNestedQuantifier(unsafe)).toBe(true);
    for (const safe of ['^\\{', '#\\d{5}\\b', '(ab)+', '[(a+)+]', 'a+b*c{2}', '\\(a+\\)+', '(a|b)*', '(\\d+)-(\\d+)']) expect(hasNestedQuantifier(safe)).toBe(false);
  });
});
