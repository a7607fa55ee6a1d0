import { RunParamValue } from '@mlops/events';
import { missingRequiredItems } from './model.decider';
import type { ModelVersionView } from './models.projection';

/** Keys where lower is better unless the request says otherwise. */
const LOWER_IS_BETTER = /(loss|error|mae|mse|rmse|latency)$/i;

export interface CompareOptions {
  higher_is_better?: string[];
  lower_is_better?: string[];
}

export interface VersionComparison {
  model_name: string;
  baseline_version: number;
  versions: {
    version: number;
    stage: ModelVersionView['stage'];
    run_id: string;
    checklist: { checked: number; total: number; complete: boolean; required_unchecked: string[] };
  }[];
  metrics: {
    key: string;
    higher_is_better: boolean;
    best_version: number;
    values: { version: number; value: number | null; delta: number | null }[];
  }[];
  params_diff: { key: string; values: { version: number; value: RunParamValue | null }[] }[];
}

export function higherIsBetter(key: string, options: CompareOptions): boolean {
  if (options.higher_is_better?.includes(key)) return true;
  if (options.lower_is_better?.includes(key)) return false;
  return !LOWER_IS_BETTER.test(key);
}

/** Compares versions against the first (the baseline): per metric each value, its delta and the best version. */
export function compareVersions(versions: ModelVersionView[], options: CompareOptions = {}): VersionComparison {
  const [baseline] = versions;
  const keys = (pick: (v: ModelVersionView) => { key: string }[]) => [...new Set(versions.flatMap((v) => pick(v).map((m) => m.key)))].sort();

  const metrics = keys((v) => v.metrics).map((key) => {
    const valueOf = (v: ModelVersionView) => v.metrics.find((m) => m.key === key)?.value ?? null;
    const base = valueOf(baseline);
    const higher = higherIsBetter(key, options);
    const values = versions.map((v) => {
      const value = valueOf(v);
      return { version: v.version, value, delta: value === null || base === null ? null : value - base };
    });
    const best = values
      .filter((v) => v.value !== null)
      .reduce((a, b) => ((higher ? b.value! > a.value! : b.value! < a.value!) ? b : a));
    return { key, higher_is_better: higher, best_version: best.version, values: values.map(({ version, value, delta }) => ({ version, value, delta })) };
  });

  const params_diff = keys((v) => v.params)
    .map((key) => ({ key, values: versions.map((v) => ({ version: v.version, value: v.params.find((p) => p.key === key)?.value ?? null })) }))
    .filter(({ values }) => values.some((v) => v.value !== values[0].value));

  return {
    model_name: baseline.model_name,
    baseline_version: baseline.version,
    versions: versions.map((v) => {
      const required_unchecked = missingRequiredItems(v.checklist);
      const checked = v.checklist.filter((item) => item.checked).length;
      return {
        version: v.version,
        stage: v.stage,
        run_id: v.run_id,
        checklist: { checked, total: v.checklist.length, complete: required_unchecked.length === 0, required_unchecked },
      };
    }),
    metrics,
    params_diff,
  };
}
