import { compareVersions, higherIsBetter } from './model-compare';
import type { ModelVersionView } from './models.projection';

const version = (n: number, metrics: Record<string, number>, params: Record<string, string | number>, checked: string[] = []): ModelVersionView => ({
  model_name: 'churn',
  version: n,
  run_id: `run-${n}`,
  artifact_uri: `s3://m/${n}`,
  description: '',
  tags: [],
  properties: [],
  aliases: [],
  metrics: Object.entries(metrics).map(([key, value]) => ({ key, value })),
  params: Object.entries(params).map(([key, value]) => ({ key, value })),
  checklist: [
    { key: 'evaluation_passed', required: true, checked: checked.includes('evaluation_passed'), checked_by: null, checked_at: null },
    { key: 'owner_signoff', required: false, checked: checked.includes('owner_signoff'), checked_by: null, checked_at: null },
  ],
  stage: 'none',
  stage_changed_at: '',
  created_at: '',
  created_by: '',
  updated_at: '',
  updated_by: '',
});

describe('comparing model versions', () => {
  it('treats loss, error, mae, mse, rmse and latency suffixes as lower-is-better unless overridden', () => {
    for (const key of ['val_loss', 'mae', 'rmse', 'p99_latency', 'train/error']) expect(higherIsBetter(key, {})).toBe(false);
    for (const key of ['auc', 'error_rate', 'f1']) expect(higherIsBetter(key, {})).toBe(true);
    expect(higherIsBetter('auc', { lower_is_better: ['auc'] })).toBe(false);
    expect(higherIsBetter('log_loss', { higher_is_better: ['log_loss'] })).toBe(true);
  });

  it('gives each version’s value, the delta against the first and the best version per metric', () => {
    const result = compareVersions([
      version(2, { auc: 0.8, log_loss: 0.4 }, { lr: 0.1, depth: 6 }, ['evaluation_passed']),
      version(1, { auc: 0.9, log_loss: 0.5, f1: 0.7 }, { lr: 0.2, depth: 6 }),
      version(3, { auc: 0.85, log_loss: 0.3 }, { lr: 0.1, depth: 6, seed: 1 }, ['evaluation_passed', 'owner_signoff']),
    ]);
    expect(result.baseline_version).toBe(2);
    const byKey = Object.fromEntries(result.metrics.map((m) => [m.key, m]));
    expect(byKey.auc.best_version).toBe(1);
    expect(byKey.auc.values.map((v) => v.version)).toEqual([2, 1, 3]);
    expect(byKey.auc.values[1].delta).toBeCloseTo(0.1);
    expect(byKey.auc.values[0].delta).toBe(0);
    expect(byKey.log_loss).toMatchObject({ higher_is_better: false, best_version: 3 });
    expect(byKey.f1).toMatchObject({ best_version: 1, values: [{ version: 2, value: null, delta: null }, { version: 1, value: 0.7, delta: null }, { version: 3, value: null, delta: null }] });
    expect(result.params_diff).toEqual([
      { key: 'lr', values: [{ version: 2, value: 0.1 }, { version: 1, value: 0.2 }, { version: 3, value: 0.1 }] },
      { key: 'seed', values: [{ version: 2, value: null }, { version: 1, value: null }, { version: 3, value: 1 }] },
    ]);
    expect(result.versions.map((v) => v.checklist)).toEqual([
      { checked: 1, total: 2, complete: true, required_unchecked: [] },
      { checked: 0, total: 2, complete: false, required_unchecked: ['evaluation_passed'] },
      { checked: 2, total: 2, complete: true, required_unchecked: [] },
    ]);
  });
});
