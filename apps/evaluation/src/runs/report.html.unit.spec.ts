import { ComposedReport, renderReportHtml } from './report';

const threshold = (passed: boolean) => ({ metric: 'accuracy', min: 0.8, max: null, value: 0.912345678, passed });

function report(overrides: Partial<ComposedReport> = {}): ComposedReport {
  const base = {
    run_id: 'run-1',
    status: 'completed',
    scenario_name: 'churn <b>NL</b>',
    scenario_version: 2,
    model_name: 'churn-clf',
    model_version: 3,
    task_type: 'binary_classification',
    case_count: 4,
    metrics: [{ key: 'accuracy', value: 0.912345678 }, { key: 'roc_auc', value: null, reason: 'one class only' }],
    gate: { passed: true, thresholds: [threshold(true)], status: 'passed' },
    confusion_matrix: { labels: [0, 1], rows: [{ actual: 0, counts: [2, 0] }, { actual: 1, counts: [1, 1] }] },
    slices: { ranked_by: { metric: 'accuracy', lower_is_better: false }, items: [{ key: 'region', value: 'north', case_count: 2, metrics: [{ key: 'accuracy', value: 0.5 }, { key: 'roc_auc', value: null }], gate: { passed: false, thresholds: [], status: 'failed' } }] },
    error_analysis: { kind: 'most_confident_wrong', total: 1, items: [{ id: 'c3', expected: 1, predicted: 0, confidence: 0.9, slices: [{ key: 'region', value: 'north' }] }] },
    assertions: [],
    explainability: { available: false, reason: 'no attributions supplied', method: null, feature_importance: [], by_slice: [] },
    compliance: {
      model_card: {
        model_details: { name: 'churn-clf', overview: 'a & b', version: { name: '3' }, owners: [{ name: 'ana' }], path: 's3://m/3' },
        model_parameters: { data: [{ name: 'inline cases' }] },
        considerations: { limitations: [{ description: 'roc_auc is undefined' }] },
      },
      lineage: {
        scenario: { name: 'churn', version: 2, created_by: 'ana', created_at: '2026-01-01T00:00:00.000Z' },
        dataset: null,
        model: { stage_at_queue: 'staging', stage_now: 'production' },
        run: { started_by: 'bo', queued_at: 'q', completed_at: 'c', correlation_id: 'corr', cases_sha256: 'aa', predictions_sha256: 'bb' },
      },
    },
  };
  return { ...base, ...overrides } as unknown as ComposedReport;
}

const cells = (html: string) => [...html.matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1]);

describe('the HTML evaluation report', () => {
  it('shows the run, the gate verdict and each table, values escaped and numbers to six digits', () => {
    const html = renderReportHtml(report());
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Gate: <span class="pass">PASS</span>');
    expect(html).toContain('on scenario <strong>churn &lt;b&gt;NL&lt;/b&gt;</strong> version 2 (binary_classification, 4 cases)');
    expect(html).not.toContain('<b>NL</b>');
    expect(html).toContain('<th>actual \\ predicted</th><th>0</th><th>1</th>');
    expect(cells(html)).toEqual(expect.arrayContaining(['0.912346', '—', 'one class only', 'region = north', 'a &amp; b', 's3://m/3']));
    expect(html).toContain('<h2>Slices, worst first by accuracy</h2>');
    expect(html).toContain('<h2>Error analysis (most confident wrong, 1 in all)</h2>');
    expect(html).toContain('<td>region=north</td>');
    expect(html).toContain('<p>Not available: no attributions supplied</p>');
    expect(html).not.toContain('<h2>Assertions</h2>');
  });

  it('says FAIL and NOT EVALUATED for those gates, and leaves out what the run has not', () => {
    const failed = renderReportHtml(report({ gate: { passed: false, thresholds: [threshold(false)], status: 'failed' } } as Partial<ComposedReport>));
    expect(failed).toContain('Gate: <span class="fail">FAIL</span>');
    expect(cells(failed)).toContain('fail');
    const empty = renderReportHtml(report({ gate: { passed: true, thresholds: [], status: 'not_evaluated' }, confusion_matrix: null } as Partial<ComposedReport>));
    expect(empty).toContain('NOT EVALUATED (no thresholds)');
    expect(empty).not.toContain('PASS');
    expect(empty).not.toContain('Confusion matrix');
  });

  it('lists assertions and attributions when the run has them', () => {
    const html = renderReportHtml(
      report({
        assertions: [{ type: 'contains', value: '<x>', passed: 3, evaluated: 4, pass_rate: 0.75 }],
        explainability: {
          available: true,
          reason: null,
          method: 'mean of supplied attributions',
          feature_importance: [{ feature: 'tenure', mean_abs_attribution: 0.4, mean_attribution: -0.1 }],
          by_slice: [{ key: 'region', value: 'north', top_features: [{ feature: 'tenure', mean_abs_attribution: 0.4, mean_attribution: -0.1 }] }],
        },
      } as Partial<ComposedReport>),
    );
    expect(html).toContain('<h2>Assertions</h2>');
    expect(cells(html)).toEqual(expect.arrayContaining(['&lt;x&gt;', '0.75', 'tenure', '-0.1']));
    expect(html).toContain('<p>mean of supplied attributions</p>');
    expect(html).not.toContain('Not available');
  });

  it('draws each ROC curve with its AUC, says why there is none, and leaves the section out without a curve report', () => {
    const curve = { label: 1, auc: 0.75, reason: null, point_count: 5, fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1], thresholds: [null, 0.8, 0.4, 0.35, 0.1] };
    const html = renderReportHtml(report({ roc_curve: { reason: null, max_points: 1000, curves: [curve] } } as Partial<ComposedReport>));
    expect(html).toContain('<h2>ROC curve</h2>');
    expect(html).toContain('points="0,1 0,0.5 0.5,0.5 0.5,0 1,0"');
    expect(html).toContain('<title>1 (AUC 0.75)</title>');
    expect(cells(html)).toEqual(expect.arrayContaining(['0.75', '5']));
    const none = renderReportHtml(report({ roc_curve: { reason: 'needs scores or probabilities', max_points: 1000, curves: [] } } as Partial<ComposedReport>));
    expect(none).toContain('<p>No curve: needs scores or probabilities</p>');
    expect(none).not.toContain('<polyline');
    expect(renderReportHtml(report())).not.toContain('ROC curve');
  });
});
