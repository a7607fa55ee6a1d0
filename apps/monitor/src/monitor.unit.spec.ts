import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadContract } from './contract';
import { EventIntake } from './event-intake';
import { monitorRegistry } from './monitor-metrics';

const contract = loadContract(join(__dirname, '../../../libs/events'));
const LIFECYCLE = 'mlops.lifecycle.events.v1';
const PROMPTS = 'mlops.prompt-governance.events.v1';
const EVALUATION = 'mlops.evaluation.events.v1';

const versions = new Map<string, number>();
/** A CloudEvent as the platform publishes it: the next version of its stream. */
function event(type: string, subject: string, data: Record<string, unknown>) {
  const streamversion = (versions.get(subject) ?? 0) + 1;
  versions.set(subject, streamversion);
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/mlops/test',
    type,
    subject,
    time: '2026-12-01T10:00:00.000Z',
    datacontenttype: 'application/json',
    data,
    streamversion,
    actor: 'ana',
    correlationid: randomUUID(),
  };
}

const canary = randomUUID();
const stable = randomUUID();
const deployment = (id: string, traffic: number) =>
  event('mlops.lifecycle.deployment.created.v1', `deployment:${id}`, {
    deployment_id: id,
    model_name: 'churn',
    model_version: 2,
    environment: 'production',
    config: { replicas: 1, resources: {}, traffic_percent: traffic },
  });
const status = (id: string, from: string, to: string) => event('mlops.lifecycle.deployment.status_changed.v1', `deployment:${id}`, { deployment_id: id, from, to });
const drift = (value: number, severity: string) =>
  event('mlops.lifecycle.drift.detected.v1', `drift:${randomUUID()}`, {
    drift_event_id: randomUUID(),
    model_name: 'churn',
    model_version: 2,
    feature: 'tenure',
    metric: 'psi',
    value,
    threshold: 0.2,
    severity,
    detected_at: '2026-12-01T10:00:00.000Z',
  });
const completed = (passed: boolean, thresholds: boolean) =>
  event(EVALUATION.replace('events.v1', 'run.completed.v1'), `evaluation_run:${randomUUID()}`, {
    run_id: randomUUID(),
    scenario_name: 'holdout',
    scenario_version: 1,
    model_name: 'churn',
    model_version: 2,
    case_count: 10,
    metrics: [{ key: 'f1', value: 0.8 }],
    gate: { passed, thresholds: thresholds ? [{ metric: 'f1', min: 0.9, max: null, value: 0.8, passed }] : [] },
    report: { sha256: 'a'.repeat(64), size_bytes: 100 },
    completed_at: '2026-12-01T10:00:00.000Z',
  });
const usage = (count: number, errors: number, latency: number) =>
  event('mlops.prompt-governance.usage.logged.v1', `usage:answer:3:${randomUUID()}`, {
    template_id: 'answer',
    version: 3,
    batch_id: randomUUID(),
    records_ref: { sha256: 'b'.repeat(64), size_bytes: 10 },
    count,
    error_count: errors,
    input_tokens: 10 * count,
    output_tokens: 5 * count,
    cost: 0.5,
    latency_ms_sum: latency,
  });
const label = event('mlops.prompt-governance.template_label.moved.v1', 'template:answer', {
  template_id: 'answer',
  label: 'production',
  from_version: null,
  to_version: 3,
  moved_by: 'bob',
  automatic: false,
});

const datasetDrift = event('mlops.feature-store.dataset.drift_computed.v1', 'dataset:churn-current', {
  report_id: randomUUID(),
  dataset_id: 'churn-current',
  reference_dataset_id: 'churn-train',
  dataset_sha256: 'c'.repeat(64),
  reference_sha256: 'd'.repeat(64),
  dataset_rows: 500,
  reference_rows: 400,
  columns: [
    { column: 'tenure', type: 'BIGINT', kind: 'numerical', method: 'ks', statistic: 0.31, p_value: 0.0004, distance: null, threshold: 0.05, drifted: true, reference_count: 400, current_count: 500 },
    { column: 'country', type: 'VARCHAR', kind: 'categorical', method: 'chisquare', statistic: 1.2, p_value: 0.55, distance: null, threshold: 0.05, drifted: false, reference_count: 400, current_count: 500 },
  ],
  number_of_columns: 2,
  number_of_drifted_columns: 1,
  share_of_drifted_columns: 0.5,
  drift_share: 0.5,
  dataset_drift: true,
});

const log: [string, unknown][] = [
  ['mlops.feature-store.events.v1', datasetDrift],
  [LIFECYCLE, deployment(stable, 100)],
  [LIFECYCLE, status(stable, 'pending', 'validating')],
  [LIFECYCLE, status(stable, 'validating', 'deploying')],
  [LIFECYCLE, status(stable, 'deploying', 'active')],
  [LIFECYCLE, deployment(canary, 10)],
  [LIFECYCLE, event('mlops.lifecycle.deployment.terminated.v1', `deployment:${stable}`, { deployment_id: stable, from: 'active', terminated_at: '2026-12-01T11:00:00.000Z' })],
  [LIFECYCLE, event('mlops.lifecycle.deployment.promoted.v1', `deployment:${canary}`, { deployment_id: canary, from_traffic_percent: 10, to_traffic_percent: 100 })],
  [LIFECYCLE, drift(0.1, 'low')],
  [LIFECYCLE, drift(0.35, 'critical')],
  [EVALUATION, completed(true, true)],
  [EVALUATION, completed(false, true)],
  [EVALUATION, completed(true, false)],
  [PROMPTS, label],
  [PROMPTS, usage(4, 1, 400)],
  [PROMPTS, usage(6, 0, 300)],
];

/** The exported platform series, without the process's own (memory, CPU) which differ run to run. */
async function platformSeries(intake: EventIntake): Promise<string[]> {
  const text = await monitorRegistry(intake.state, intake.counts).metrics();
  return text.split('\n').filter((line) => line.startsWith('mlops_')).sort();
}

function replay(entries: [string, unknown][]): EventIntake {
  const intake = new EventIntake(contract.validators);
  for (const [topic, value] of entries) intake.take(topic, value);
  return intake;
}

describe('the monitor: the platform state folded from the published events, exported to Prometheus', () => {
  it('finds every topic and a schema for every event type in the AsyncAPI document', () => {
    expect([...contract.topics.values()].sort()).toEqual([EVALUATION, 'mlops.feature-store.events.v1', LIFECYCLE, PROMPTS].sort());
    expect(contract.validators.get('mlops.lifecycle.deployment.created.v1')).toBeDefined();
    expect(contract.validators.size).toBeGreaterThan(40);
  });

  it('exports deployments by status, live traffic, drift, gate results and prompt usage', async () => {
    const series = await platformSeries(replay(log));
    const value = (prefix: string) => series.find((line) => line.startsWith(prefix))?.split(' ').pop();
    expect(value('mlops_deployments{model="churn",environment="production",status="terminated"')).toBe('1');
    expect(value('mlops_deployments{model="churn",environment="production",status="pending"')).toBe('1');
    expect(value(`mlops_deployment_traffic_percent{deployment="${canary}"`)).toBe('100');
    expect(series.some((line) => line.includes(`deployment="${stable}"`))).toBe(false);
    expect(value('mlops_drift_statistic{model="churn",version="2",feature="tenure",metric="psi"')).toBe('0.35');
    expect(value('mlops_drift_events_total{model="churn",severity="critical"')).toBe('1');
    expect(value('mlops_evaluation_runs_total{scenario="holdout",model="churn",result="passed"')).toBe('1');
    expect(value('mlops_evaluation_runs_total{scenario="holdout",model="churn",result="failed"')).toBe('1');
    expect(value('mlops_evaluation_runs_total{scenario="holdout",model="churn",result="not_evaluated"')).toBe('1');
    expect(value('mlops_prompt_usage_requests_total{template="answer",version="3"')).toBe('10');
    expect(value('mlops_prompt_usage_errors_total{template="answer",version="3"')).toBe('1');
    expect(value('mlops_prompt_usage_latency_milliseconds_total{template="answer",version="3"')).toBe('700');
    expect(value('mlops_prompt_usage_input_tokens_total{template="answer",version="3"')).toBe('100');
    expect(value('mlops_prompt_usage_cost_total{template="answer",version="3"')).toBe('1');
    expect(value('mlops_prompt_label_version{template="answer",label="production",version="3"')).toBe('1');
    expect(value(`mlops_monitor_events_consumed_total{topic="${LIFECYCLE}",type="mlops.lifecycle.deployment.created.v1"`)).toBe('2');
    expect(value('mlops_dataset_column_drift_score{dataset="churn-current",reference="churn-train",column="tenure",method="ks"')).toBe('0.0004');
    expect(value('mlops_dataset_column_drifted{dataset="churn-current",reference="churn-train",column="country",method="chisquare"')).toBe('0');
    expect(value('mlops_deployment_transitions_total{model="churn",environment="production",to="terminated"')).toBe('1');
    expect(value('mlops_deployment_transitions_total{model="churn",environment="production",to="active"')).toBe('1');
    expect(value('mlops_dataset_drift{dataset="churn-current",reference="churn-train"')).toBe('1');
  });

  it('skips redeliveries, by CloudEvent id and by a stream version already seen, and counts them', async () => {
    const first = log[0][1] as ReturnType<typeof event>;
    const resent = { ...first, id: randomUUID() }; // re-sent by the relay after a crash: same stream version
    const intake = replay([...log, [LIFECYCLE, first], [LIFECYCLE, resent], [PROMPTS, log[14][1]]]);
    const once = replay(log);
    const strip = (lines: string[]) => lines.filter((line) => !line.startsWith('mlops_monitor_events_duplicate_total'));
    expect(strip(await platformSeries(intake))).toEqual(strip(await platformSeries(once)));
    expect(await platformSeries(intake)).toEqual(expect.arrayContaining([`mlops_monitor_events_duplicate_total{topic="${LIFECYCLE}",service="monitor"} 2`, `mlops_monitor_events_duplicate_total{topic="${PROMPTS}",service="monitor"} 1`]));
  });

  it('counts and logs what is not a valid event of the contract, and keeps going', async () => {
    const rejected: string[] = [];
    const intake = new EventIntake(contract.validators, (_topic, reason) => rejected.push(reason));
    const valid = deployment(randomUUID(), 50);
    expect(intake.take(LIFECYCLE, '{not json')).toBe('rejected');
    expect(intake.take(LIFECYCLE, { hello: 'world' })).toBe('rejected');
    expect(intake.take(LIFECYCLE, { ...valid, type: 'mlops.lifecycle.deployment.teleported.v1' })).toBe('rejected');
    expect(intake.take(LIFECYCLE, { ...valid, data: { ...valid.data, environment: 'moon' } })).toBe('rejected');
    expect(intake.take(LIFECYCLE, JSON.stringify(valid))).toBe('applied');
    expect(rejected).toEqual(['not_cloudevent', 'not_cloudevent', 'unknown_type', 'schema_invalid']);
    const series = await platformSeries(intake);
    expect(series).toEqual(
      expect.arrayContaining([
        `mlops_monitor_events_rejected_total{topic="${LIFECYCLE}",type="mlops.lifecycle.deployment.created.v1",reason="schema_invalid",service="monitor"} 1`,
        `mlops_monitor_events_rejected_total{topic="${LIFECYCLE}",type="unknown",reason="not_cloudevent",service="monitor"} 2`,
        'mlops_deployments{model="churn",environment="production",status="pending",service="monitor"} 1',
      ]),
    );
  });

  describe('a renamed model, and its old name taken by a new model', () => {
    const NEW_KEY = 'churn.0123456789abcdef';
    const deployedAs = (model_name: string, id: string) => {
      const e = deployment(id, 100);
      return { ...e, data: { ...e.data, model_name } };
    };
    const driftOf = (model_name: string, severity: string) => {
      const e = drift(0.5, severity);
      return { ...e, data: { ...e.data, model_name } };
    };
    const renamed = (key: string, previous: string, to: string) =>
      event('mlops.lifecycle.registered_model.renamed.v1', `model:${key}`, { model_name: key, new_name: to, previous_name: previous });
    const created = (key: string) => event('mlops.lifecycle.registered_model.created.v1', `model:${key}`, { model_name: key, description: '', properties: [] });
    const newDeployment = randomUUID();
    const renames: [string, unknown][] = [
      [LIFECYCLE, renamed('churn', 'churn', 'churn-v2')],
      // The new model: a fresh key, created and renamed to the free name in one commit.
      [LIFECYCLE, created(NEW_KEY)],
      [LIFECYCLE, renamed(NEW_KEY, NEW_KEY, 'churn')],
      [LIFECYCLE, deployedAs(NEW_KEY, newDeployment)],
      [LIFECYCLE, driftOf(NEW_KEY, 'high')],
    ];
    const labelled = (series: string[], model: string) => series.filter((line) => line.includes(`model="${model}"`));

    it('folds the renames: a key is called by its new name, a model created again by its key', () => {
      const intake = replay([...log, ...renames]);
      expect([...intake.state.modelNames]).toEqual([
        ['churn', 'churn-v2'],
        [NEW_KEY, 'churn'],
      ]);
      intake.take(LIFECYCLE, renamed('churn', 'churn-v2', 'churn'));
      intake.take(LIFECYCLE, created('churn'));
      expect([...intake.state.modelNames]).toEqual([[NEW_KEY, 'churn']]);
    });

    it('moves a renamed model’s series to its new label, dropping the old label, and gives the old name to the new model', async () => {
      const intake = replay(log);
      const registry = monitorRegistry(intake.state, intake.counts);
      const scrape = async () => (await registry.metrics()).split('\n').filter((line) => line.startsWith('mlops_')).sort();
      const before = await scrape();
      const churn = labelled(before, 'churn');
      expect(churn.length).toBeGreaterThan(5);
      expect(labelled(before, 'churn-v2')).toEqual([]);

      intake.take(LIFECYCLE, renames[0][1]);
      const after = await scrape();
      // The same series with the same values, under the new name; none left under the old one.
      expect(labelled(after, 'churn-v2')).toEqual(churn.map((line) => line.replace('model="churn"', 'model="churn-v2"')));
      expect(labelled(after, 'churn')).toEqual([]);

      for (const [topic, value] of renames.slice(1)) intake.take(topic, value);
      const reused = await scrape();
      expect(labelled(reused, 'churn-v2')).toEqual(labelled(after, 'churn-v2'));
      expect(labelled(reused, 'churn').sort()).toEqual(
        [
          `mlops_deployment_traffic_percent{deployment="${newDeployment}",model="churn",version="2",environment="production",service="monitor"} 100`,
          'mlops_deployments{model="churn",environment="production",status="pending",service="monitor"} 1',
          'mlops_drift_events_total{model="churn",severity="high",service="monitor"} 1',
          'mlops_drift_statistic{model="churn",version="2",feature="tenure",metric="psi",service="monitor"} 0.5',
          'mlops_drift_threshold{model="churn",version="2",feature="tenure",metric="psi",service="monitor"} 0.2',
        ].sort(),
      );
      expect(reused.some((line) => line.includes(NEW_KEY))).toBe(false);
      const value = (prefix: string) => reused.find((line) => line.startsWith(prefix))?.split(' ').pop();
      expect(value('mlops_drift_events_total{model="churn-v2",severity="critical"')).toBe('1');
      expect(value('mlops_evaluation_runs_total{scenario="holdout",model="churn-v2",result="passed"')).toBe('1');
      // Rebuilt from offset 0: the same series.
      expect(await platformSeries(replay([...log, ...renames]))).toEqual(reused);
    });
  });

  it('rebuilds the same series from offset 0', async () => {
    expect(await platformSeries(replay(log))).toEqual(await platformSeries(replay(log)));
  });
});
