import type { EvaluationTaskType, ScenarioDefinition, ScenarioLabel } from '@mlops/events';
import { DomainErrorDetail, invalidInput, invalidState } from '@mlops/event-sourcing';
import { labelKey, labelType, sortLabels } from '../metrics/labels';
import { caseIdOf, CasesPayload } from '../scenarios/scenario-cases';
import { isClassification, PROBABILISTIC_METRICS } from '../scenarios/scenario-definition';

/** The model's outputs, columnar and in the cases' order (matched by id when the run is queued). */
export interface PredictionsPayload {
  labels: (ScenarioLabel | null)[] | null;
  /** Binary: P(positive class). */
  scores: number[] | null;
  /** Multiclass: one column per class of `classes`. */
  proba: number[][] | null;
  values: number[] | null;
  texts: string[] | null;
  /** Per-case feature attributions (e.g. SHAP values): one column per feature, 0 where a case gave none. */
  attributions: { features: string[]; columns: number[][] } | null;
  /** Every class of the run: the scenario's, the cases' and the predicted ones, sorted. */
  classes: ScenarioLabel[];
  positive_label: ScenarioLabel | null;
}

const FIELDS: Record<EvaluationTaskType, string[]> = {
  binary_classification: ['id', 'label', 'score', 'probabilities', 'attributions'],
  multiclass_classification: ['id', 'label', 'probabilities', 'attributions'],
  regression: ['id', 'value', 'attributions'],
  text: ['id', 'text', 'attributions'],
};
const FEATURE = /^[A-Za-z_][A-Za-z0-9_.:/-]{0,127}$/;
const MAX_ERRORS = 20;
const isLabel = (v: unknown): v is ScenarioLabel => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const isProbability = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;

/**
 * Matches the predictions to the cases and checks their shape for the task, before anything is
 * written: wrong shapes are 400, predictions that do not cover exactly the scenario's cases 422.
 */
export function parsePredictions(task: EvaluationTaskType, definition: ScenarioDefinition, cases: CasesPayload, raw: unknown[]): PredictionsPayload {
  const errors: DomainErrorDetail[] = [];
  const fail = (index: number, message: string) => errors.length < MAX_ERRORS && errors.push({ field: `predictions[${index}]`, message });
  const position = new Map(cases.ids.map((id, i) => [id, i]));
  const n = cases.ids.length;
  const at = new Int32Array(n).fill(-1);
  const unknown: string[] = [];
  const allowed = new Set(FIELDS[task]);
  for (let p = 0; p < raw.length; p++) {
    const item = raw[p] as Record<string, unknown>;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      fail(p, 'must be an object with the case id');
      continue;
    }
    for (const key of Object.keys(item)) if (!allowed.has(key)) fail(p, `unknown field ${key} for a ${task} prediction (fields: ${[...allowed].join(', ')})`);
    const id = caseIdOf(item.id);
    if (id === null) {
      fail(p, 'id must be a case id');
      continue;
    }
    const i = position.get(id);
    if (i === undefined) unknown.push(id);
    else if (at[i] !== -1) fail(p, `a second prediction for case ${id}`);
    else at[i] = p;
  }
  if (errors.length) throw invalidInput(`${errors.length}${errors.length === MAX_ERRORS ? '+' : ''} invalid predictions`, errors);
  const missing: string[] = [];
  for (let i = 0; i < n && missing.length < MAX_ERRORS; i++) if (at[i] === -1) missing.push(cases.ids[i]);
  if (missing.length || unknown.length) {
    throw invalidState(
      `The predictions must cover exactly the scenario's ${n} cases: ${missing.length ? `missing ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}` : ''}${missing.length && unknown.length ? '; ' : ''}${unknown.length ? `unknown ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}` : ''}`,
      [...missing.map((id) => ({ field: 'predictions', message: `no prediction for case ${id}` })), ...unknown.slice(0, MAX_ERRORS).map((id) => ({ field: 'predictions', message: `no case ${id} in the scenario` }))],
    );
  }
  const items = Array.from(at, (p) => raw[p] as Record<string, unknown>);
  const result: PredictionsPayload = { labels: null, scores: null, proba: null, values: null, texts: null, attributions: null, classes: [], positive_label: null };
  const every = (field: string) => {
    const given = items.filter((item) => item[field] !== undefined).length;
    if (given !== 0 && given !== n) errors.push({ field: `predictions`, message: `${field} must be given for every case or for none (${given} of ${n})` });
    return given === n;
  };

  if (task === 'regression') {
    result.values = items.map((item, i) => {
      if (typeof item.value !== 'number' || !Number.isFinite(item.value)) fail(at[i], 'value must be a finite number');
      return item.value as number;
    });
  } else if (task === 'text') {
    result.texts = items.map((item, i) => {
      if (typeof item.text !== 'string') fail(at[i], 'text must be a string');
      return item.text as string;
    });
  } else {
    const hasLabels = every('label');
    const hasScores = task === 'binary_classification' && every('score');
    const hasProba = every('probabilities');
    const declared = definition.labels;
    const expectedType = labelType([...declared, ...cases.expected.filter(isLabel)]);
    if (hasLabels) {
      result.labels = items.map((item, i) => {
        const label = item.label;
        if (!isLabel(label)) fail(at[i], 'label must be a string, number or boolean');
        else if (expectedType !== 'none' && expectedType !== 'mixed' && typeof label !== expectedType) fail(at[i], `label must be a ${expectedType} like the scenario's labels`);
        return label as ScenarioLabel;
      });
    }
    const classes = sortLabels([...declared, ...cases.expected.filter(isLabel), ...(result.labels ?? []).filter(isLabel)]);
    let probaLabels: ScenarioLabel[] = classes;
    if (hasProba) {
      const keys = new Map(classes.map((c) => [String(c), c]));
      const first = items[0].probabilities as Record<string, unknown>;
      if (typeof first === 'object' && first !== null) for (const key of Object.keys(first)) if (!keys.has(key)) fail(at[0], `probabilities name ${key}, which is not a class of the scenario`);
      probaLabels = classes;
      const columns = classes.map(() => new Array<number>(n));
      items.forEach((item, i) => {
        const probabilities = item.probabilities as Record<string, unknown>;
        if (typeof probabilities !== 'object' || probabilities === null || Array.isArray(probabilities)) return fail(at[i], 'probabilities must be an object of class to probability');
        const names = Object.keys(probabilities);
        if (names.length !== classes.length || classes.some((c) => !isProbability(probabilities[String(c)]))) {
          return fail(at[i], `probabilities must give a number in [0, 1] for each class: ${classes.map(String).join(', ')}`);
        }
        classes.forEach((c, k) => (columns[k][i] = probabilities[String(c)] as number));
      });
      const positive = definition.positive_label ?? classes[1];
      if (task === 'binary_classification' && classes.length === 2) {
        result.scores = columns[classes.findIndex((c) => labelKey(c) === labelKey(positive))];
      } else result.proba = columns;
    }
    if (hasScores) {
      result.scores = items.map((item, i) => {
        if (!isProbability(item.score)) fail(at[i], 'score must be P(positive class), a number in [0, 1]');
        return item.score as number;
      });
    }
    if (!hasLabels && !hasScores && !hasProba) {
      errors.push({ field: 'predictions', message: task === 'binary_classification' ? 'each prediction needs a label, a score or probabilities' : 'each prediction needs a label or probabilities' });
    }
    if (task === 'binary_classification' && classes.length > 2) {
      errors.push({ field: 'predictions', message: `a binary task has 2 classes; the labels make ${classes.map(String).join(', ')}` });
    }
    result.classes = classes;
    result.positive_label = task === 'binary_classification' ? (definition.positive_label ?? (classes.length === 2 ? classes[1] : classes[0] ?? null)) : null;
    if (result.scores && !result.labels) {
      if (classes.length !== 2) errors.push({ field: 'predictions', message: 'labels are needed when the scenario does not name both classes' });
      else {
        const negative = classes.find((c) => labelKey(c) !== labelKey(result.positive_label!))!;
        result.labels = result.scores.map((s) => (s >= 0.5 ? result.positive_label : negative));
      }
    }
    if (result.proba && !result.labels) {
      // argmax, first class on ties (numpy's argmax)
      result.labels = items.map((_, i) => {
        let best = 0;
        for (let k = 1; k < probaLabels.length; k++) if (result.proba![k][i] > result.proba![best][i]) best = k;
        return probaLabels[best];
      });
    }
    const probabilistic = definition.thresholds.map((t) => t.metric).filter((m) => PROBABILISTIC_METRICS.has(m));
    if (!errors.length && probabilistic.length && !result.scores && !result.proba) {
      throw invalidState(`The gate needs ${probabilistic.join(', ')}: send scores or probabilities`, probabilistic.map((m) => ({ field: 'predictions', message: `${m} needs scores or probabilities` })));
    }
  }

  if (items.some((item) => item.attributions !== undefined)) {
    const features = new Map<string, number>();
    items.forEach((item, i) => {
      if (item.attributions === undefined) return;
      const a = item.attributions as Record<string, unknown>;
      if (typeof a !== 'object' || a === null || Array.isArray(a)) return fail(at[i], 'attributions must be an object of feature to a finite number');
      for (const [feature, value] of Object.entries(a)) {
        if (!FEATURE.test(feature) || typeof value !== 'number' || !Number.isFinite(value)) return fail(at[i], `attribution ${feature} must be a finite number of a feature named like ${FEATURE.source}`);
        if (!features.has(feature)) {
          if (features.size >= 512) return fail(at[i], 'at most 512 features');
          features.set(feature, features.size);
        }
      }
    });
    const columns = [...features.keys()].map(() => new Array<number>(n).fill(0));
    items.forEach((item, i) => {
      const a = item.attributions as Record<string, number> | undefined;
      if (a && typeof a === 'object') for (const [feature, value] of Object.entries(a)) if (features.has(feature)) columns[features.get(feature)!][i] = value;
    });
    result.attributions = { features: [...features.keys()], columns };
  }
  if (errors.length) throw invalidInput(`${errors.length}${errors.length === MAX_ERRORS ? '+' : ''} invalid predictions`, errors);
  if (isClassification(task) && result.classes.length === 0) throw invalidInput('No class labels in the scenario or the predictions');
  return result;
}
