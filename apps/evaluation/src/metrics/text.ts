import { distance } from 'fastest-levenshtein';

/** promptfoo's deterministic assertion types; each also exists negated as `not-<type>`. */
export const ASSERTION_BASE_TYPES = ['equals', 'contains', 'icontains', 'regex', 'starts-with', 'is-json', 'levenshtein'] as const;
export type AssertionBaseType = (typeof ASSERTION_BASE_TYPES)[number];
export type AssertionType = AssertionBaseType | `not-${AssertionBaseType}`;
export const ASSERTION_TYPES: AssertionType[] = [...ASSERTION_BASE_TYPES, ...ASSERTION_BASE_TYPES.map((t) => `not-${t}` as const)];

export interface Assertion {
  type: AssertionType;
  /** The expected text, substring or pattern; not used by is-json. */
  value?: string;
  /** levenshtein: the largest distance that passes (promptfoo's default 5). */
  threshold?: number;
}

export interface AssertionResult {
  type: AssertionType;
  pass: boolean;
}

export const MAX_ASSERTION_VALUE_LENGTH = 10_000;
export const MAX_REGEX_LENGTH = 1_000;

/**
 * Whether a pattern quantifies a group that itself holds a quantifier (`(a+)+`, `(\w*x?)*`): the
 * shape behind catastrophic backtracking, refused rather than run over 100,000 outputs.
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

/** Why an assertion cannot run (e.g. an invalid pattern), or null when it is well-formed. */
export function assertionProblem(assertion: Assertion): string | null {
  const base = assertion.type.replace(/^not-/, '') as AssertionBaseType;
  if (!ASSERTION_BASE_TYPES.includes(base)) return `unknown assertion type ${assertion.type}`;
  if (base !== 'is-json' && typeof assertion.value !== 'string') return `${assertion.type} needs a string value`;
  if ((assertion.value?.length ?? 0) > MAX_ASSERTION_VALUE_LENGTH) return `value longer than ${MAX_ASSERTION_VALUE_LENGTH} characters`;
  if (base === 'regex') {
    if (assertion.value!.length > MAX_REGEX_LENGTH) return `regex longer than ${MAX_REGEX_LENGTH} characters`;
    if (hasNestedQuantifier(assertion.value!)) return 'regex nests quantifiers (catastrophic backtracking risk)';
    try {
      new RegExp(assertion.value!);
    } catch (error) {
      return `invalid regex: ${(error as Error).message}`;
    }
  }
  if (assertion.threshold !== undefined && (base !== 'levenshtein' || !Number.isInteger(assertion.threshold) || assertion.threshold < 0)) {
    return 'threshold is a non-negative integer, for levenshtein only';
  }
  return null;
}

function isJson(output: string): boolean {
  try {
    JSON.parse(output);
    return true;
  } catch {
    return false;
  }
}

function passes(base: AssertionBaseType, output: string, assertion: Assertion, compiled?: RegExp): boolean {
  const value = assertion.value ?? '';
  switch (base) {
    case 'equals':
      return output === value;
    case 'contains':
      return output.includes(value);
    case 'icontains':
      return output.toLowerCase().includes(value.toLowerCase());
    case 'regex':
      return (compiled ?? new RegExp(value)).test(output);
    case 'starts-with':
      return output.startsWith(value);
    case 'is-json':
      return isJson(output);
    case 'levenshtein': {
      const threshold = assertion.threshold ?? 5;
      // The distance is at least the length difference: no need to compute it past the threshold.
      return Math.abs(output.length - value.length) <= threshold && distance(output, value) <= threshold;
    }
  }
}

/** Runs one assertion against a model output; `not-` inverts the result. */
export function runAssertion(output: string, assertion: Assertion, compiled?: RegExp): AssertionResult {
  const negated = assertion.type.startsWith('not-');
  const base = (negated ? assertion.type.slice(4) : assertion.type) as AssertionBaseType;
  const pass = passes(base, output, assertion, compiled);
  return { type: assertion.type, pass: negated ? !pass : pass };
}
