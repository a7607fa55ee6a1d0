/**
 * The HTML report as a mustache template: every `{{value}}` is escaped; the view (report.ts) hands
 * it display strings and tables, so the page's layout reads here and nowhere else.
 */
export const REPORT_TABLE_PARTIAL =
  '<table><thead><tr>{{#headers}}<th>{{.}}</th>{{/headers}}</tr></thead><tbody>{{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/rows}}</tbody></table>';

export const REPORT_TEMPLATE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evaluation report {{run_id}}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;color:#1d2330}table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccd;padding:.25rem .6rem;text-align:left}th{background:#eef}.pass{color:#176b2c;font-weight:600}.fail{color:#a4161a;font-weight:600}code{background:#f3f3f7;padding:0 .2rem}</style></head>
<body>
<h1>Evaluation report</h1>
<p>Run <code>{{run_id}}</code> — model <strong>{{model_name}}</strong> version {{model_version}} on scenario <strong>{{scenario_name}}</strong> version {{scenario_version}} ({{task_type}}, {{case_count}} cases).</p>
<h2>Gate: {{#gate.passed}}<span class="pass">PASS</span>{{/gate.passed}}{{#gate.failed}}<span class="fail">FAIL</span>{{/gate.failed}}{{#gate.not_evaluated}}<span>NOT EVALUATED (no thresholds)</span>{{/gate.not_evaluated}}</h2>
{{#gate.table}}{{> table}}{{/gate.table}}
<h2>Metrics</h2>
{{#metrics}}{{> table}}{{/metrics}}
{{#confusion_matrix}}
<h2>Confusion matrix</h2>{{> table}}
{{/confusion_matrix}}
{{#roc}}
<h2>ROC curve</h2>
{{#reason}}<p>No curve: {{reason}}</p>{{/reason}}
{{#chart}}<svg role="img" aria-label="ROC curve" viewBox="-0.08 -0.04 1.12 1.12" width="320" height="320"><rect x="0" y="0" width="1" height="1" fill="none" stroke="#ccd" stroke-width="0.004"/><line x1="0" y1="1" x2="1" y2="0" stroke="#ccd" stroke-dasharray="0.02" stroke-width="0.004"/>{{#lines}}<polyline fill="none" stroke="{{colour}}" stroke-width="0.008" points="{{points}}"><title>{{label}}</title></polyline>{{/lines}}</svg>{{/chart}}
{{#table}}{{> table}}{{/table}}
{{/roc}}
<h2>Slices, worst first{{#ranked_by}} by {{ranked_by}}{{/ranked_by}}</h2>
{{#slices}}{{> table}}{{/slices}}
<h2>Error analysis ({{error_analysis.kind}}, {{error_analysis.total}} in all)</h2>
{{#error_analysis.table}}{{> table}}{{/error_analysis.table}}
{{#assertions}}
<h2>Assertions</h2>{{> table}}
{{/assertions}}
<h2>Explainability</h2>
{{#explainability.available}}
<p>{{method}}</p>{{#importance}}{{> table}}{{/importance}}{{#by_slice}}{{> table}}{{/by_slice}}
{{/explainability.available}}
{{^explainability.available}}
<p>Not available: {{explainability.reason}}</p>
{{/explainability.available}}
<h2>Model card</h2>
{{#model_card}}{{> table}}{{/model_card}}
<h2>Lineage</h2>
{{#lineage}}{{> table}}{{/lineage}}
</body></html>
`;
