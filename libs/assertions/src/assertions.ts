import { distance } from 'fastest-levenshtein';
import { RE2JS } from 're2js';

/**
 * The promptfoo-style deterministic assertion set, shared by the evaluation harness (text
 * scenarios) and prompt governance (a template's test cases). Each type also exists negated as
 * `not-<type>`.
 */
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

export interface ExplainedAssertionResult extends AssertionResult {
  /** What was found, in words (`Levenshtein distance 3 > 2`), or why the assertion cannot run. */
  reason: string;
}

export const DEFAULT_LEVENSHTEIN_THRESHOLD = 5;

export const MAX_ASSERTION_VALUE_LENGTH = 10_000;
export const MAX_REGEX_LENGTH = 1_000;

/** Bounds the automaton too: RE2's cost per character grows with it (`[a-z]{1000}` is 1,002). */
export const MAX_REGEX_PROGRAM_SIZE = 1_000;

/** A user-supplied pattern compiled for RE2. */
export type CompiledPattern = RE2JS;

/**
 * Compiles a user-supplied pattern with RE2 semantics (a pure-JS port of RE2): matching takes
 * time linear in the output whatever the pattern, so no pattern can stall the event loop the way a
 * backtracking `RegExp` does on `^(a|a)*$`. No lookaround and no backreferences; throws on those.
 */
export function compilePattern(pattern: string): CompiledPattern {
  const compiled = RE2JS.compile(pattern);
  if (compiled.programSize() > MAX_REGEX_PROGRAM_SIZE) {
    throw new Error(`the pattern compiles to ${compiled.programSize()} instructions, more than ${MAX_REGEX_PROGRAM_SIZE} (fewer or smaller counted repetitions)`);
  }
  return compiled;
}

/** Why an assertion cannot run (e.g. an invalid pattern), or null when it is well-formed. */
export function assertionProblem(assertion: Assertion): string | null {
  const base = assertion.type.replace(/^not-/, '') as AssertionBaseType;
  if (!ASSERTION_BASE_TYPES.includes(base)) return `unknown assertion type ${assertion.type}`;
  if (base !== 'is-json' && typeof assertion.value !== 'string') return `${assertion.type} needs a string value`;
  if ((assertion.value?.length ?? 0) > MAX_ASSERTION_VALUE_LENGTH) return `value longer than ${MAX_ASSERTION_VALUE_LENGTH} characters`;
  if (base === 'regex') {
    if (assertion.value!.length > MAX_REGEX_LENGTH) return `regex longer than ${MAX_REGEX_LENGTH} characters`;
    try {
      compilePattern(assertion.value!);
    } catch (error) {
      return `invalid regex (RE2 syntax): ${(error as Error).message}`;
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

function passes(base: AssertionBaseType, output: string, assertion: Assertion, compiled?: CompiledPattern): boolean {
  const value = assertion.value ?? '';
  switch (base) {
    case 'equals':
      return output === value;
    case 'contains':
      return output.includes(value);
    case 'icontains':
      return output.toLowerCase().includes(value.toLowerCase());
    case 'regex':
      return (compiled ?? compilePattern(value)).test(output);
    case 'starts-with':
      return output.startsWith(value);
    case 'is-json':
      return isJson(output);
    case 'levenshtein': {
      const threshold = assertion.threshold ?? DEFAULT_LEVENSHTEIN_THRESHOLD;
      // The distance is at least the length difference: no need to compute it past the threshold.
      return Math.abs(output.length - value.length) <= threshold && distance(output, value) <= threshold;
    }
  }
}

const baseOf = (type: AssertionType) => (type.startsWith('not-') ? type.slice(4) : type) as AssertionBaseType;

/**
 * Runs one assertion against a model output; `not-` inverts the result. The hot path of a text
 * evaluation: pass a pattern compiled once (`compilePattern`) to run it over many outputs.
 */
export function runAssertion(output: string, assertion: Assertion, compiled?: CompiledPattern): AssertionResult {
  const pass = passes(baseOf(assertion.type), output, assertion, compiled);
  return { type: assertion.type, pass: assertion.type.startsWith('not-') ? !pass : pass };
}

function describeOutcome(base: AssertionBaseType, output: string, assertion: Assertion, pass: boolean): string {
  const value = assertion.value ?? '';
  switch (base) {
    case 'equals':
      return `output ${pass ? 'equals' : 'does not equal'} the expected value`;
    case 'contains':
      return `output ${pass ? 'contains' : 'does not contain'} "${value}"`;
    case 'icontains':
      return `output ${pass ? 'contains' : 'does not contain'} "${value}" (ignoring case)`;
    case 'regex':
      return `output ${pass ? 'matches' : 'does not match'} /${value}/`;
    case 'starts-with':
      return `output ${pass ? 'starts' : 'does not start'} with "${value}"`;
    case 'is-json':
      return `output ${pass ? 'is' : 'is not'} valid JSON`;
    case 'levenshtein': {
      const threshold = assertion.threshold ?? DEFAULT_LEVENSHTEIN_THRESHOLD;
      const d = distance(output, value);
      return `Levenshtein distance ${d} ${d <= threshold ? '<=' : '>'} ${threshold}`;
    }
  }
}

/** Runs one assertion and says why it passed or failed; a malformed assertion fails with its problem. */
export function explainAssertion(output: string, assertion: Assertion): ExplainedAssertionResult {
  const problem = assertionProblem(assertion);
  if (problem) return { type: assertion.type, pass: false, reason: problem };
  const base = baseOf(assertion.type);
  const pass = passes(base, output, assertion);
  const reason = describeOutcome(base, output, assertion, pass);
  return assertion.type.startsWith('not-') ? { type: assertion.type, pass: !pass, reason: `not: ${reason}` } : { type: assertion.type, pass, reason };
}
