import fc from 'fast-check';
import type { ScenarioDefinition } from '@mlops/events';
import { parseInlineCases } from '../scenarios/scenario-cases';
import { evaluate } from './evaluate';
import { parsePredictions } from './predictions';

const definition: ScenarioDefinition = {
  description: '', tags: [], cases: { source: 'inline', payload: { sha256: 'a'.repeat(64), size_bytes: 1 }, case_count: 0, slice_keys: [] },
  labels: [0, 1], positive_label: 1, metrics: ['accuracy', 'f1_micro', 'precision', 'recall', 'roc_auc', 'log_loss'],
  thresholds: [{ metric: 'accuracy', min: 0.5, max: null }], assertions: [],
};

const caseArb = fc.record({
  expected: fc.constantFrom(0, 1),
  score: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 1)),
  country: fc.constantFrom('DE', 'FR', 'NL'),
});

describe('evaluation properties', () => {
  it('slices partition the cases; a slice holding every case has the overall metrics; micro F1 is accuracy; the gate follows its threshold', () => {
    fc.assert(
      fc.property(fc.array(caseArb, { minLength: 1, maxLength: 60 }), (rows) => {
        const cases = parseInlineCases('binary_classification', rows.map((r, i) => ({ id: i, expected: r.expected, slices: { country: r.country, all: 'yes' } })), 100);
        const predictions = parsePredictions('binary_classification', definition, cases, rows.map((r, i) => ({ id: i, score: r.score })));
        const report = evaluate({ task: 'binary_classification', definition, cases, predictions, errorAnalysisLimit: 5 });
        const value = (key: string, metrics = report.metrics) => metrics.find((m) => m.key === key)!.value;

        const byCountry = report.slices.filter((s) => s.key === 'country');
        expect(byCountry.reduce((n, s) => n + s.case_count, 0)).toBe(rows.length);
        const all = report.slices.find((s) => s.key === 'all')!;
        expect(all.metrics).toEqual(report.metrics);
        expect(value('f1_micro')).toBeCloseTo(value('accuracy')!, 12);
        expect(report.gate.passed).toBe(value('accuracy')! >= 0.5);
        expect(report.error_analysis.total).toBe(Math.round((1 - value('accuracy')!) * rows.length));
        const single = new Set(rows.map((r) => r.expected)).size === 1;
        expect(value('roc_auc') === null).toBe(single);
        expect(Number.isFinite(value('log_loss'))).toBe(true);
      }),
    );
  });
});
