import type { EvaluationTaskType, MetricThreshold, ScenarioDefinition, ScenarioLabel } from '@mlops/events';
import { DomainErrorDetail } from '@mlops/event-sourcing';
import { labelType, sortLabels } from '../metrics/labels';
import { assertionProblem, Assertion } from '@mlops/assertions';

const CLASSIFICATION_METRICS = [
  'accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1',
  'precision_micro', 'precision_macro', 'precision_weighted',
  'recall_micro', 'recall_macro', 'recall_weighted',
  'f1_micro', 'f1_macro', 'f1_weighted',
  'roc_auc', 'log_loss',
];

/** Every metric a task type computes; `precision`, `recall`, `f1` are the positive class's (binary) or macro (multiclass). */
export const METRICS_BY_TASK: Record<EvaluationTaskType, string[]> = {
  binary_classification: CLASSIFICATION_METRICS,
  multiclass_classification: CLASSIFICATION_METRICS,
  regression: ['mae', 'mse', 'rmse', 'r2'],
  text: ['exact_match', 'assertion_pass_rate'],
};

/** Computed when a scenario names no metrics. */
export const DEFAULT_METRICS: Record<EvaluationTaskType, string[]> = {
  binary_classification: ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'],
  multiclass_classification: ['accuracy', 'balanced_accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'f1_weighted', 'roc_auc', 'log_loss'],
  regression: ['mae', 'mse', 'rmse', 'r2'],
  text: ['exact_match', 'assertion_pass_rate'],
};

/** Metrics that need scores or probabilities from the model, not only labels. */
export const PROBABILISTIC_METRICS = new Set(['roc_auc', 'log_loss']);

/** Lower is better for these; higher for every other metric. */
export const LOWER_IS_BETTER = new Set(['log_loss', 'mae', 'mse', 'rmse']);

export const isClassification = (task: EvaluationTaskType) => task === 'binary_classification' || task === 'multiclass_classification';

/** Every rule a scenario definition must satisfy for its task type; empty when it is consistent. */
export function definitionProblems(task: EvaluationTaskType, definition: ScenarioDefinition): DomainErrorDetail[] {
  const problems: DomainErrorDetail[] = [];
  const allowed = METRICS_BY_TASK[task];
  for (const metric of definition.metrics) {
    if (!allowed.includes(metric)) problems.push({ field: 'metrics', message: `${metric} is not a ${task} metric (one of ${allowed.join(', ')})` });
  }
  const seen = new Set<string>();
  for (const threshold of definition.thresholds) {
    if (!definition.metrics.includes(threshold.metric)) problems.push({ field: 'thresholds', message: `${threshold.metric} is not among the scenario's metrics` });
    if (seen.has(threshold.metric)) problems.push({ field: 'thresholds', message: `${threshold.metric} appears twice` });
    seen.add(threshold.metric);
    if (threshold.min === null && threshold.max === null) problems.push({ field: 'thresholds', message: `${threshold.metric} needs min or max` });
    if (threshold.min !== null && threshold.max !== null && threshold.min > threshold.max) problems.push({ field: 'thresholds', message: `${threshold.metric}: min is above max` });
  }
  const type = labelType(definition.labels);
  if (isClassification(task)) {
    if (type === 'mixed') problems.push({ field: 'labels', message: 'labels (and expected values) must all be strings, all numbers or all booleans' });
    if (task === 'binary_classification' && definition.labels.length > 2) {
      problems.push({ field: 'labels', message: `a binary task has at most 2 classes, found ${definition.labels.length}` });
    }
    if (definition.positive_label !== null && !definition.labels.some((l) => l === definition.positive_label)) {
      problems.push({ field: 'positive_label', message: 'positive_label must be one of the labels' });
    }
  } else {
    if (definition.labels.length) problems.push({ field: 'labels', message: `a ${task} task has no labels` });
    if (definition.positive_label !== null) problems.push({ field: 'positive_label', message: `a ${task} task has no positive label` });
  }
  if (task !== 'text' && definition.assertions.length) problems.push({ field: 'assertions', message: 'assertions are for text tasks' });
  for (const assertion of definition.assertions) {
    const problem = assertionProblem(assertion as Assertion);
    if (problem) problems.push({ field: 'assertions', message: problem });
  }
  return problems;
}

/** The classes of a classification scenario: declared ones and those its cases expect, sorted. */
export const classesOf = (declared: ScenarioLabel[], expected: Iterable<ScenarioLabel>) => sortLabels([...declared, ...expected]);

/** The positive class of a binary task: the declared one, else the greater label (1 of 0/1, true, "yes" of no/yes). */
export const positiveOf = (labels: ScenarioLabel[], declared: ScenarioLabel | null): ScenarioLabel | null =>
  declared ?? (labels.length === 2 ? sortLabels(labels)[1] : null);

/** `{"f1": {"min": 0.8}}` → `[{metric: "f1", min: 0.8, max: null}]`: user keys never become document keys. */
export const thresholdsFromMap = (map: Record<string, { min?: number; max?: number }>): MetricThreshold[] =>
  Object.entries(map).map(([metric, bounds]) => ({ metric, min: bounds.min ?? null, max: bounds.max ?? null }));
