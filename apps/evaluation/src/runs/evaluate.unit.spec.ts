import type { ScenarioDefinition } from '@mlops/events';
import { invalidInput } from '@mlops/event-sourcing';
import { parseInlineCases } from '../scenarios/scenario-cases';
import { evaluate, EvaluationFailure, gateOf, gateStatus } from './evaluate';
import { parsePredictions } from './predictions';

const definition = (over: Partial<ScenarioDefinition>): ScenarioDefinition => ({
  description: '', tags: [], cases: { source: 'inline', payload: { sha256: 'a'.repeat(64), size_bytes: 1 }, case_count: 0, slice_keys: [] },
  labels: [0, 1], positive_label: 1, metrics: ['accuracy', 'f1', 'roc_auc'], thresholds: [{ metric: 'f1', min: 0.6, max: null }], assertions: [], ...over,
});

const binaryCases = parseInlineCases(
  'binary_classification',
  [
    { id: 'a', expected: 1, slices: { country: 'DE' }, input: { tenure: 1 } },
    { id: 'b', expected: 0, slices: { country: 'DE' } },
    { id: 'c', expected: 1, slices: { country: 'FR' } },
    { id: 'd', expected: 0, slices: { country: 'FR' } },
    { id: 'e', expected: 1, slices: { country: 'FR' } },
  ],
  100,
);

describe('evaluating a run', () => {
  it('computes the metrics, the gate, slices worst first, the most confident mistakes and attribution importance', () => {
    const def = definition({});
    const predictions = parsePredictions('binary_classification', def, binaryCases, [
      { id: 'e', score: 0.2, attributions: { tenure: -2, plan: 1 } },
      { id: 'a', score: 0.9, attributions: { tenure: 1, plan: 0 } },
      { id: 'b', score: 0.1, attributions: { tenure: 1 } },
      { id: 'c', score: 0.7, attributions: { tenure: 0, plan: 1 } },
      { id: 'd', score: 0.95, attributions: { tenure: 0, plan: -1 } },
    ]);
    const report = evaluate({ task: 'binary_classification', definition: def, cases: binaryCases, predictions, errorAnalysisLimit: 10 });
    expect(report.metrics.map((m) => [m.key, m.value])).toEqual([
      ['accuracy', 0.6],
      ['f1', expect.closeTo(2 / 3, 12)],
      ['roc_auc', 0.5],
    ]);
    expect(report.gate).toEqual({ passed: true, thresholds: [{ metric: 'f1', min: 0.6, max: null, value: expect.closeTo(2 / 3, 12), passed: true }] });
    expect(report.confusion_matrix).toEqual({ labels: [0, 1], rows: [{ actual: 0, counts: [1, 1] }, { actual: 1, counts: [1, 2] }] });
    // Scores d .95 (−), a .9, c .7, e .2 (+ + +), b .1 (−): the points at .9 and .7 lie on the straight rise.
    expect(report.roc_curve).toEqual({
      reason: null,
      max_points: 1000,
      curves: [{ label: 1, auc: 0.5, reason: null, point_count: 4, fpr: [0, 0.5, 0.5, 1], tpr: [0, 0, 1, 1], thresholds: [null, 0.95, 0.2, 0.1] }],
    });
    // FR: c right, d wrong (0.95), e wrong → f1 0.5 fails the gate; DE: perfect.
    expect(report.slices.map((s) => [s.value, s.case_count, s.gate.passed])).toEqual([
      ['FR', 3, false],
      ['DE', 2, true],
    ]);
    expect(report.error_analysis.items.map((i) => [i.id, i.predicted, i.confidence])).toEqual([
      ['d', 1, 0.95],
      ['e', 0, expect.closeTo(0.8, 12)],
    ]);
    expect(report.explainability.feature_importance).toEqual([
      { feature: 'tenure', mean_abs_attribution: 0.8, mean_attribution: 0 },
      { feature: 'plan', mean_abs_attribution: 0.6, mean_attribution: 0.2 },
    ]);
    expect(report.explainability.by_slice.find((s) => s.value === 'DE')!.top_features[0].feature).toBe('tenure');
  });

  it('rejects predictions with missing ids (422), wrong shapes (400) and scores the gate needs but lacks (422)', () => {
    const def = definition({ thresholds: [{ metric: 'roc_auc', min: 0.7, max: null }] });
    const kind = (raw: unknown[]) => {
      try {
        parsePredictions('binary_classification', def, binaryCases, raw);
        return 'ok';
      } catch (error) {
        return (error as ReturnType<typeof invalidInput>).kind;
      }
    };
    const all = ['a', 'b', 'c', 'd', 'e'];
    expect(kind(all.slice(1).map((id) => ({ id, score: 0.5 })))).toBe('invalid_state');
    expect(kind([...all, 'zz'].map((id) => ({ id, score: 0.5 })))).toBe('invalid_state');
    expect(kind(all.map((id) => ({ id, score: 1.5 })))).toBe('invalid_input');
    expect(kind(all.map((id) => ({ id, label: 'yes' })))).toBe('invalid_input');
    expect(kind(all.map((id) => ({ id, value: 3 })))).toBe('invalid_input');
    expect(kind(all.map((id, i) => (i ? { id, score: 0.5 } : { id, label: 1 })))).toBe('invalid_input');
    expect(kind(all.map((id) => ({ id, label: 1 })))).toBe('invalid_state');
    expect(kind(all.map((id) => ({ id, score: 0.5 })))).toBe('ok');
  });

  it('says plainly that a run with labels only has no ROC curve, and draws one per class from probabilities', () => {
    const labelsOnly = definition({ metrics: ['accuracy'], thresholds: [] });
    const byLabel = parsePredictions('binary_classification', labelsOnly, binaryCases, ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, label: 1 })));
    const plain = evaluate({ task: 'binary_classification', definition: labelsOnly, cases: binaryCases, predictions: byLabel, errorAnalysisLimit: 5 });
    expect(plain.roc_curve).toMatchObject({ curves: [], reason: expect.stringContaining('no scores') });

    const cases = parseInlineCases('multiclass_classification', [{ id: 'x', expected: 'a' }, { id: 'y', expected: 'b' }, { id: 'z', expected: 'c' }], 10);
    const def = definition({ labels: ['a', 'b', 'c'], positive_label: null, metrics: ['roc_auc'], thresholds: [] });
    const predictions = parsePredictions('multiclass_classification', def, cases, [
      { id: 'x', probabilities: { a: 0.5, b: 0.4, c: 0.1 } },
      { id: 'y', probabilities: { a: 0.3, b: 0.3, c: 0.4 } },
      { id: 'z', probabilities: { a: 0.2, b: 0.2, c: 0.6 } },
    ]);
    const report = evaluate({ task: 'multiclass_classification', definition: def, cases, predictions, errorAnalysisLimit: 5 });
    // Class b against the rest: .4 (−), .3 (+), .2 (−) → AUC 0.5; a and c are ranked perfectly.
    expect(report.roc_curve!.curves.map((c) => [c.label, c.auc])).toEqual([['a', 1], ['b', 0.5], ['c', 1]]);
    expect(report.roc_curve!.curves[1]).toMatchObject({ fpr: [0, 0.5, 0.5, 1], tpr: [0, 0, 1, 1], thresholds: [null, 0.4, 0.3, 0.2] });
    expect(report.metrics[0].value).toBeCloseTo(2.5 / 3, 12);
  });

  it('keeps a 100,000-case run’s ROC curve to 1,000 points, its AUC that of every case', () => {
    const n = 100_000;
    const cases = parseInlineCases('binary_classification', Array.from({ length: n }, (_, i) => ({ id: `c${i}`, expected: i % 3 === 0 ? 1 : 0 })), n);
    const def = definition({ metrics: ['roc_auc'], thresholds: [] });
    // Distinct scores, positives higher on average: tens of thousands of points before the cap.
    const score = (i: number) => ((i * 7919) % n) / n / 2 + (i % 3 === 0 ? 0.3 : 0);
    const predictions = parsePredictions('binary_classification', def, cases, Array.from({ length: n }, (_, i) => ({ id: `c${i}`, score: score(i) })));
    const report = evaluate({ task: 'binary_classification', definition: def, cases, predictions, errorAnalysisLimit: 5 });
    const [curve] = report.roc_curve!.curves;
    expect(curve.point_count).toBeGreaterThan(10_000);
    expect(curve.fpr.length).toBeLessThanOrEqual(1_000);
    expect(curve.auc).toBe(report.metrics[0].value);
    expect(JSON.stringify(report.roc_curve).length).toBeLessThan(100_000);
  });

  it('fails a run whose metrics overflow double precision', () => {
    const cases = parseInlineCases('regression', [{ id: 'a', expected: 1e308 }, { id: 'b', expected: -1e308 }], 10);
    const def = definition({ labels: [], positive_label: null, metrics: ['mse'], thresholds: [] });
    const predictions = parsePredictions('regression', def, cases, [{ id: 'a', value: -1e308 }, { id: 'b', value: 1e308 }]);
    expect(() => evaluate({ task: 'regression', definition: def, cases, predictions, errorAnalysisLimit: 5 })).toThrow(EvaluationFailure);
  });

  it('runs text assertions per scenario and per case, and reports exact match', () => {
    const cases = parseInlineCases('text', [
      { id: 'q1', expected: 'Paris', assertions: [{ type: 'icontains', value: 'paris' }] },
      { id: 'q2', expected: 'Berlin' },
      { id: 'q3', expected: null },
    ], 10);
    const def = definition({ labels: [], positive_label: null, metrics: ['exact_match', 'assertion_pass_rate'], thresholds: [], assertions: [{ type: 'not-contains', value: 'sorry' }] });
    const predictions = parsePredictions('text', def, cases, [{ id: 'q1', text: 'paris' }, { id: 'q2', text: 'Berlin' }, { id: 'q3', text: 'sorry, no idea' }]);
    const report = evaluate({ task: 'text', definition: def, cases, predictions, errorAnalysisLimit: 5 });
    expect(report.metrics).toEqual([{ key: 'exact_match', value: 0.5 }, { key: 'assertion_pass_rate', value: 2 / 3 }]);
    expect(report.assertions).toEqual([{ type: 'not-contains', value: 'sorry', passed: 2, evaluated: 3, pass_rate: 2 / 3 }]);
    expect(report.error_analysis.items.map((i) => i.id)).toEqual(['q1', 'q3']);
  });

  it('runs catastrophic-backtracking patterns, scenario-wide and per case, in linear time on adversarial outputs', () => {
    const adversarial = `${'a'.repeat(5_000)}!`;
    const cases = parseInlineCases('text', [
      { id: 'q1', expected: null, assertions: [{ type: 'regex', value: '(a+)+$' }, { type: 'not-regex', value: '^(([a-z])+.)+[A-Z]([a-z])+$' }] },
      { id: 'q2', expected: null, assertions: [{ type: 'regex', value: '(x+x+)+y' }] },
    ], 10);
    const def = definition({ labels: [], positive_label: null, metrics: ['assertion_pass_rate'], thresholds: [], assertions: [{ type: 'not-regex', value: '^(a|a)*$' }] });
    const predictions = parsePredictions('text', def, cases, [{ id: 'q1', text: adversarial }, { id: 'q2', text: 'x'.repeat(5_000) }]);
    const report = evaluate({ task: 'text', definition: def, cases, predictions, errorAnalysisLimit: 5 });
    expect(report.assertions).toEqual([{ type: 'not-regex', value: '^(a|a)*$', passed: 2, evaluated: 2, pass_rate: 1 }]);
    expect(report.metrics).toEqual([{ key: 'assertion_pass_rate', value: 0 }]);
  });

  it('does not pass a gate without thresholds: it is not evaluated', () => {
    const metrics = [{ key: 'f1', value: 0.9 }];
    expect(gateOf([], metrics)).toEqual({ passed: false, thresholds: [] });
    expect(gateStatus(gateOf([], metrics))).toBe('not_evaluated');
    // Results recorded before this rule (passed: true, no thresholds) read the same way.
    expect(gateStatus({ passed: true, thresholds: [] })).toBe('not_evaluated');
    expect(gateStatus(gateOf([{ metric: 'f1', min: 0.8, max: null }], metrics))).toBe('passed');
    expect(gateStatus(gateOf([{ metric: 'f1', min: 0.95, max: null }], metrics))).toBe('failed');
    const def = definition({ thresholds: [] });
    const predictions = parsePredictions('binary_classification', def, binaryCases, binaryCases.ids.map((id) => ({ id, score: 0.9 })));
    const report = evaluate({ task: 'binary_classification', definition: def, cases: binaryCases, predictions, errorAnalysisLimit: 5 });
    expect(report.gate).toEqual({ passed: false, thresholds: [] });
    expect(report.slices.every((s) => gateStatus(s.gate) === 'not_evaluated')).toBe(true);
  });
});

