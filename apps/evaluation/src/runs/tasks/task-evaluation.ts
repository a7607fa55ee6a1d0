import type { MetricValue } from '../../metrics/classification';
import type { EvaluationInput, EvaluationReport, RocReport } from '../evaluation-report';

/**
 * What one task type computes over a run's cases: what only the whole run has (confusion matrix,
 * error analysis, assertion summary), and its metrics over any subset of the cases (a slice).
 */
export interface TaskEvaluation {
  confusion_matrix: EvaluationReport['confusion_matrix'];
  roc_curve: RocReport | null;
  error_analysis: EvaluationReport['error_analysis'];
  assertions: EvaluationReport['assertions'];
  /** The metrics wanted, over `rows` (all cases when null); a metric the task does not compute is left out. */
  metricsOver(metrics: string[], rows: Int32Array | null): Map<string, MetricValue>;
}

export type TaskStrategy = (input: EvaluationInput) => TaskEvaluation;
