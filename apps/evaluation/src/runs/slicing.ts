import { labelKey } from '../metrics/labels';
import type { CasesPayload, SliceValue } from '../scenarios/scenario-cases';
import type { SliceReport } from './evaluation-report';

const MAX_SLICE_VALUES = 200;

/** The cases of one value of one slice key, as row numbers into the run's columns. */
export interface SliceGroup {
  key: string;
  value: SliceValue;
  rows: Int32Array;
}

/** The subset `rows` of a column (the whole column when `rows` is null). */
export function gather<T extends Float64Array | Int32Array | Uint8Array>(array: T, rows: Int32Array | null): T {
  if (!rows) return array;
  const out = new (array.constructor as new (n: number) => T)(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = array[rows[i]];
  return out;
}

/** A case's slice values, as the error analysis lists them. */
export const slicesOfCase = (cases: CasesPayload) => (i: number) => cases.slice_keys.map((key, k) => ({ key, value: cases.slice_values[k][i] }));

/** One group per value of each slice key (at most 200 values a key; the rest are left out). */
export function sliceGroups(cases: CasesPayload): SliceGroup[] {
  const n = cases.ids.length;
  const groups: SliceGroup[] = [];
  cases.slice_keys.forEach((key, k) => {
    const byValue = new Map<string, { value: SliceValue; rows: number[] }>();
    const column = cases.slice_values[k];
    for (let i = 0; i < n; i++) {
      const value = column[i];
      const id = value === null ? 'null' : labelKey(value);
      let group = byValue.get(id);
      if (!group) {
        if (byValue.size >= MAX_SLICE_VALUES) continue;
        byValue.set(id, (group = { value, rows: [] }));
      }
      group.rows.push(i);
    }
    for (const { value, rows } of byValue.values()) groups.push({ key, value, rows: Int32Array.from(rows) });
  });
  return groups;
}

/** Worst first by `metric` (slices without a value last), then the larger slice first. */
export function rankSlices(slices: SliceReport[], metric: string | null, lowerIsBetter: boolean): SliceReport[] {
  const rankValue = (s: SliceReport) => s.metrics.find((m) => m.key === metric)?.value ?? null;
  return slices.sort((a, b) => {
    const va = rankValue(a);
    const vb = rankValue(b);
    if (va === null || vb === null) return (va === null ? 1 : 0) - (vb === null ? 1 : 0);
    return (lowerIsBetter ? vb - va : va - vb) || b.case_count - a.case_count;
  });
}
