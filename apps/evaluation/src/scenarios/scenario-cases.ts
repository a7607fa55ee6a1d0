import type { EvaluationTaskType, ScenarioLabel, TextAssertionSpec } from '@mlops/events';
import { DomainErrorDetail, invalidInput } from '@mlops/event-sourcing';
import { assertionProblem, Assertion } from '@mlops/assertions';

export type SliceValue = string | number | boolean | null;

/**
 * A scenario's cases, columnar (one array per field), as stored in the payload store and read by
 * the worker: 100,000 cases are a handful of arrays, never 100,000 documents.
 */
export interface CasesPayload {
  ids: string[];
  /** Label (classification), number (regression), text or null (text). */
  expected: (ScenarioLabel | null)[];
  /** Input per case as given (shown in error analysis); null when none. */
  inputs: unknown[] | null;
  slice_keys: string[];
  /** One column per slice key, aligned with `ids`. */
  slice_values: SliceValue[][];
  /** Text: extra assertions per case (null when none). */
  assertions: (TextAssertionSpec[] | null)[] | null;
}

export const SLICE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;
const MAX_ERRORS = 20;

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const CASE_FIELDS = new Set(['id', 'input', 'expected', 'slices', 'assertions']);

/** Normalises a case id (string or integer) to the string the predictions are matched on. */
export function caseIdOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && CASE_ID.test(value)) return value;
  return null;
}

/** Validates inline cases for a task type and turns them into the columnar payload; 400 listing the first problems. */
export function parseInlineCases(task: EvaluationTaskType, raw: unknown[], maxCases: number): CasesPayload {
  const errors: DomainErrorDetail[] = [];
  const fail = (index: number, message: string) => errors.length < MAX_ERRORS && errors.push({ field: `cases[${index}]`, message });
  if (raw.length === 0) throw invalidInput('cases must not be empty', [{ field: 'cases', message: 'at least one case' }]);
  if (raw.length > maxCases) throw invalidInput(`At most ${maxCases} cases`, [{ field: 'cases', message: `${raw.length} cases` }]);
  const ids: string[] = new Array(raw.length);
  const expected: (ScenarioLabel | null)[] = new Array(raw.length);
  const inputs: unknown[] = new Array(raw.length);
  let anyInput = false;
  const sliceColumns = new Map<string, SliceValue[]>();
  const assertions: (TextAssertionSpec[] | null)[] = new Array(raw.length).fill(null);
  let anyAssertions = false;
  const seen = new Set<string>();
  for (let i = 0; i < raw.length; i++) {
    const item = raw[i] as Record<string, unknown>;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      fail(i, 'must be an object {id, input, expected, slices}');
      continue;
    }
    for (const key of Object.keys(item)) if (!CASE_FIELDS.has(key)) fail(i, `unknown field ${key}`);
    const id = caseIdOf(item.id);
    if (id === null) fail(i, `id must be a non-negative integer or match ${CASE_ID.source}`);
    else if (seen.has(id)) fail(i, `duplicate id ${id}`);
    else seen.add(id);
    ids[i] = id ?? '';
    const value = item.expected;
    if (task === 'regression') {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(i, 'expected must be a finite number');
    } else if (task === 'text') {
      if (value !== undefined && value !== null && typeof value !== 'string') fail(i, 'expected must be text (or null with assertions only)');
    } else if (!isScalar(value)) {
      fail(i, 'expected must be a class label: a string, number or boolean');
    }
    expected[i] = (value ?? null) as ScenarioLabel | null;
    if (item.input !== undefined) {
      inputs[i] = item.input;
      anyInput = true;
    } else inputs[i] = null;
    if (item.slices !== undefined) {
      const slices = item.slices as Record<string, unknown>;
      if (typeof slices !== 'object' || slices === null || Array.isArray(slices)) fail(i, 'slices must be an object of slice key to value');
      else {
        for (const [key, v] of Object.entries(slices)) {
          if (!SLICE_KEY.test(key)) fail(i, `slice key ${key} must match ${SLICE_KEY.source}`);
          else if (!isScalar(v) && v !== null) fail(i, `slice ${key} must be a string, number, boolean or null`);
          else {
            if (!sliceColumns.has(key)) {
              if (sliceColumns.size >= 16) fail(i, 'at most 16 slice keys');
              else sliceColumns.set(key, new Array(raw.length).fill(null));
            }
            sliceColumns.get(key)?.splice(i, 1, v as SliceValue);
          }
        }
      }
    }
    if (item.assertions !== undefined) {
      if (task !== 'text') fail(i, 'assertions are for text tasks');
      else if (!Array.isArray(item.assertions) || item.assertions.length > 32) fail(i, 'assertions must be an array of at most 32');
      else {
        for (const a of item.assertions as Assertion[]) {
          const problem = typeof a === 'object' && a !== null ? assertionProblem(a) : 'an assertion is an object {type, value}';
          if (problem) fail(i, problem);
        }
        assertions[i] = (item.assertions as Assertion[]).map(({ type, value, threshold }) => ({ type, ...(value === undefined ? {} : { value }), ...(threshold === undefined ? {} : { threshold }) }));
        anyAssertions = true;
      }
    }
  }
  if (errors.length) throw invalidInput(`${errors.length}${errors.length === MAX_ERRORS ? '+' : ''} invalid cases`, errors);
  const slice_keys = [...sliceColumns.keys()].sort();
  return {
    ids,
    expected,
    inputs: anyInput ? inputs : null,
    slice_keys,
    slice_values: slice_keys.map((key) => sliceColumns.get(key)!),
    assertions: anyAssertions ? assertions : null,
  };
}
