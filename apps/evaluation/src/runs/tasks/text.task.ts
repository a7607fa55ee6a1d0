import type { TextAssertionSpec } from '@mlops/events';
import { Assertion, compilePattern, runAssertion } from '@mlops/assertions';
import type { MetricValue } from '../../metrics/classification';
import type { EvaluationReport } from '../evaluation-report';
import { gather, slicesOfCase } from '../slicing';
import { TaskStrategy } from './task-evaluation';

/** Per case: 1 yes, 0 no, 2 not applicable (no expected text, no assertion ran). */
function rate(flags: Uint8Array): MetricValue {
  let yes = 0;
  let counted = 0;
  for (const flag of flags) {
    if (flag === 2) continue;
    counted++;
    yes += flag;
  }
  return counted ? { value: yes / counted } : { value: null, reason: 'no case has an expected text or assertions' };
}

/** Text generation: exact match against the expected text, and the scenario's and each case's rule assertions. */
export const textTask: TaskStrategy = ({ definition, cases, predictions, errorAnalysisLimit }) => {
  const n = cases.ids.length;
  const texts = predictions.texts!;
  const sliceOf = slicesOfCase(cases);
  const shared = definition.assertions.map((a) => ({ assertion: a as Assertion, compiled: a.type.endsWith('regex') ? compilePattern(a.value!) : undefined, passed: 0 }));
  const exact = new Uint8Array(n);
  const textPass = new Uint8Array(n);
  const failures: Record<string, unknown>[] = [];
  let failing = 0;
  for (let i = 0; i < n; i++) {
    const expected = cases.expected[i];
    exact[i] = typeof expected === 'string' ? (texts[i] === expected ? 1 : 0) : 2;
    const failed: TextAssertionSpec[] = [];
    for (const s of shared) {
      if (runAssertion(texts[i], s.assertion, s.compiled).pass) s.passed++;
      else failed.push(s.assertion);
    }
    const own = cases.assertions?.[i] ?? [];
    for (const a of own) if (!runAssertion(texts[i], a as Assertion).pass) failed.push(a);
    const ran = shared.length + own.length;
    textPass[i] = ran === 0 ? 2 : failed.length ? 0 : 1;
    if (failed.length || exact[i] === 0) {
      failing++;
      if (failures.length < errorAnalysisLimit) {
        failures.push({ id: cases.ids[i], expected, output: texts[i], failed_assertions: failed, input: cases.inputs?.[i] ?? null, slices: sliceOf(i) });
      }
    }
  }
  const assertions: EvaluationReport['assertions'] = shared.map((s) => ({ type: s.assertion.type, value: s.assertion.value ?? null, passed: s.passed, evaluated: n, pass_rate: n ? s.passed / n : null }));
  return {
    confusion_matrix: null,
    roc_curve: null,
    error_analysis: { kind: 'failed_text_checks', total: failing, items: failures },
    assertions,
    metricsOver(_metrics, rows) {
      return new Map([
        ['exact_match', rate(gather(exact, rows))],
        ['assertion_pass_rate', rate(gather(textPass, rows))],
      ]);
    },
  };
};
