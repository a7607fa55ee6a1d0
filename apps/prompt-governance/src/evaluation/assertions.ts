import { distance } from 'fastest-levenshtein';

/** The promptfoo-style assertion set; each type can be negated with a `not-` prefix. */
export const BASE_ASSERTIONS = ['equals', 'contains', 'icontains', 'regex', 'starts-with', 'is-json', 'levenshtein'] as const;
export type BaseAssertionType = (typeof BASE_ASSERTIONS)[number];
export const ASSERTION_TYPES: string[] = [...BASE_ASSERTIONS, ...BASE_ASSERTIONS.map((type) => `not-${type}`)];

export interface Assertion {
  type: string;
  /** What to compare with (not needed by is-json). */
  value?: string;
  /** levenshtein: the largest distance that still passes (default 5). */
  threshold?: number;
}

export interface AssertionResult {
  pass: boolean;
  reason: string;
}

export const DEFAULT_LEVENSHTEIN_THRESHOLD = 5;
export const MAX_REGEX_LENGTH = 1000;

/**
 * Whether a pattern quantifies a group that itself holds a quantifier (`(a+)+`, `(\w*x?)*`) — the
 * shape behind catastrophic backtracking. A heuristic, in the spirit of safe-regex: such patterns
 * are refused rather than run on the event loop.
 */
export function hasNestedQuantifier(pattern: string): boolean {
  const groups: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') groups.push(false);
    else if (c === ')') {
      const quantifiedInside = groups.pop() ?? false;
      const next = pattern[i + 1];
      const quantified = next === '*' || next === '+' || next === '{';
      if (quantifiedInside && quantified) return true;
      if (groups.length && (quantifiedInside || quantified)) groups[groups.length - 1] = true;
    } else if ((c === '*' || c === '+' || c === '{') && groups.length) groups[groups.length - 1] = true;
  }
  return false;
}

/** Why an assertion cannot be run at all (unknown type, missing value, bad regex); null when it can. */
export function assertionProblem(assertion: Assertion): string | null {
  if (!ASSERTION_TYPES.includes(assertion.type)) return `unknown assertion type ${assertion.type}`;
  const base = assertion.type.replace(/^not-/, '') as BaseAssertionType;
  if (base !== 'is-json' && typeof assertion.value !== 'string') return `${assertion.type} needs a string value`;
  if (base === 'regex') {
    if (assertion.value!.length > MAX_REGEX_LENGTH) return `regex longer than ${MAX_REGEX_LENGTH} characters`;
    if (hasNestedQuantifier(assertion.value!)) return 'regex nests quantifiers (catastrophic backtracking risk)';
    try {
      new RegExp(assertion.value!);
    } catch (error) {
      return `invalid regex: ${(error as Error).message}`;
    }
  }
  return null;
}

const isJson = (output: string) => {
  try {
    JSON.parse(output);
    return true;
  } catch {
    return false;
  }
};

function check(type: BaseAssertionType, assertion: Assertion, output: string): AssertionResult {
  const value = assertion.value ?? '';
  switch (type) {
    case 'equals':
      return { pass: output === value, reason: `output ${output === value ? 'equals' : 'does not equal'} the expected value` };
    case 'contains':
      return { pass: output.includes(value), reason: `output ${output.includes(value) ? 'contains' : 'does not contain'} "${value}"` };
    case 'icontains': {
      const pass = output.toLowerCase().includes(value.toLowerCase());
      return { pass, reason: `output ${pass ? 'contains' : 'does not contain'} "${value}" (ignoring case)` };
    }
    case 'regex': {
      const pass = new RegExp(value).test(output);
      return { pass, reason: `output ${pass ? 'matches' : 'does not match'} /${value}/` };
    }
    case 'starts-with':
      return { pass: output.startsWith(value), reason: `output ${output.startsWith(value) ? 'starts' : 'does not start'} with "${value}"` };
    case 'is-json': {
      const pass = isJson(output);
      return { pass, reason: `output ${pass ? 'is' : 'is not'} valid JSON` };
    }
    case 'levenshtein': {
      const threshold = assertion.threshold ?? DEFAULT_LEVENSHTEIN_THRESHOLD;
      const d = distance(output, value);
      return { pass: d <= threshold, reason: `Levenshtein distance ${d} ${d <= threshold ? '<=' : '>'} ${threshold}` };
    }
  }
}

/** Runs one assertion against an output; `not-` inverts the outcome. */
export function runAssertion(assertion: Assertion, output: string): AssertionResult {
  const problem = assertionProblem(assertion);
  if (problem) return { pass: false, reason: problem };
  const negated = assertion.type.startsWith('not-');
  const result = check(assertion.type.replace(/^not-/, '') as BaseAssertionType, assertion, output);
  return negated ? { pass: !result.pass, reason: `not: ${result.reason}` } : result;
}
