import type { EvaluationMetricValue, EvaluationTaskType, GateResult, ScenarioDefinition, ScenarioLabel } from '@mlops/events';
import type { CasesPayload, SliceValue } from '../scenarios/scenario-cases';
import type { PredictionsPayload } from './predictions';

export interface ReportMetric extends EvaluationMetricValue {
  /** Why the value is null (e.g. ROC-AUC with one class present). */
  reason?: string;
}

export interface SliceReport {
  key: string;
  value: SliceValue;
  case_count: number;
  metrics: ReportMetric[];
  gate: GateResult;
}

export interface FeatureImportance {
  feature: string;
  mean_abs_attribution: number;
  mean_attribution: number;
}

/** One class against the rest: at most ROC_MAX_POINTS of its ROC curve, the AUC of all of it. */
export interface RocCurveReport {
  /** The positive class (binary) or the class taken against the others (multiclass). */
  label: ScenarioLabel;
  auc: number | null;
  /** Why the curve is missing (only one class present); its arrays are then empty. */
  reason: string | null;
  /** Points before the cap (scikit-learn's roc_curve with drop_intermediate). */
  point_count: number;
  fpr: number[];
  tpr: number[];
  /** The score at or above which a case counts as positive; null for the first point (+inf). */
  thresholds: (number | null)[];
}

export interface RocReport {
  /** Why there are no curves: the predictions carried no scores or probabilities. */
  reason: string | null;
  max_points: number;
  curves: RocCurveReport[];
}

/** What a run computes: stored once in the payload store; the completed event carries the summary. */
export interface EvaluationReport {
  task_type: EvaluationTaskType;
  case_count: number;
  metrics: ReportMetric[];
  gate: GateResult;
  confusion_matrix: { labels: ScenarioLabel[]; rows: { actual: ScenarioLabel; counts: number[] }[] } | null;
  /** Classification only (null otherwise); reports stored before it existed have none. */
  roc_curve?: RocReport | null;
  classes: ScenarioLabel[];
  positive_label: ScenarioLabel | null;
  /** The metric slices are ranked by, worst first. */
  slice_ranking: { metric: string; lower_is_better: boolean } | null;
  slices: SliceReport[];
  error_analysis: { kind: 'most_confident_wrong' | 'largest_errors' | 'failed_text_checks'; total: number; items: Record<string, unknown>[] };
  assertions: { type: string; value: string | null; passed: number; evaluated: number; pass_rate: number | null }[];
  explainability: {
    available: boolean;
    reason: string | null;
    method: string | null;
    feature_importance: FeatureImportance[];
    by_slice: { key: string; value: SliceValue; top_features: FeatureImportance[] }[];
  };
}

/** A run that cannot be evaluated (the reason becomes the run's failure reason). */
export class EvaluationFailure extends Error {}

export interface EvaluationInput {
  task: EvaluationTaskType;
  definition: ScenarioDefinition;
  cases: CasesPayload;
  predictions: PredictionsPayload;
  errorAnalysisLimit: number;
}
