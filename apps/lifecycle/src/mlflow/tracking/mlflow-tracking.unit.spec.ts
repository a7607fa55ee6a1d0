import { MlflowError } from '../mlflow-errors';
import { DEFAULT_EXPERIMENT, experimentMlflowId } from './experiment-ids';
import { BATCH_LIMITS, checkBatch, checkExperimentName, fromMlflowStatus, toMlflowRun, toMlflowStatus } from './mlflow-tracking';
import type { RunDocument } from '../../runs/runs.projection';

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof MlflowError ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no error';
};
const metric = (i: number) => ({ key: `m${i % 3}`, value: i, timestamp: 1_700_000_000_000, step: i });
const kv = (i: number) => ({ key: `k${i}`, value: 'v' });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('MLflow experiment ids', () => {
  it('gives the default experiment "0" and every other name a stable decimal id of its own', () => {
    expect(experimentMlflowId(DEFAULT_EXPERIMENT.name)).toBe('0');
    expect(experimentMlflowId('churn')).toBe(experimentMlflowId('churn'));
    expect(experimentMlflowId('churn')).toMatch(/^[1-9]\d{0,15}$/);
    const ids = new Set(range(2000).map((i) => experimentMlflowId(`exp-${i}`)));
    expect(ids.size).toBe(2000);
    expect(ids.has('0')).toBe(false);
  });
});

describe("MLflow's log-batch limits", () => {
  it('accepts the most a batch may hold', () => {
    expect(() => checkBatch({ metrics: range(900).map(metric), params: range(50).map(kv), tags: range(50).map(kv) })).not.toThrow();
    expect(() => checkBatch({ metrics: range(BATCH_LIMITS.metrics).map(metric), params: [], tags: [] })).not.toThrow();
  });

  it.each([
    ['1,001 metrics', { metrics: range(1001).map(metric), params: [], tags: [] }],
    ['101 params', { metrics: [], params: range(101).map(kv), tags: [] }],
    ['101 tags', { metrics: [], params: [], tags: range(101).map(kv) }],
    ['1,001 items in all', { metrics: range(900).map(metric), params: range(100).map(kv), tags: range(1).map(kv) }],
  ])('refuses %s', (_label, batch) => {
    expect(codeOf(() => checkBatch(batch))).toMatch(/^INVALID_PARAMETER_VALUE: A batch logging request can contain at most 1000 metrics/);
  });

  it('refuses what no store keeps: non-finite values, bad keys, over-long values, one param with two values', () => {
    expect(codeOf(() => checkBatch({ metrics: [{ ...metric(0), value: NaN }], params: [], tags: [] }))).toMatch(/INVALID_PARAMETER_VALUE.*finite/);
    expect(codeOf(() => checkBatch({ metrics: [{ ...metric(0), key: 'a$b' }], params: [], tags: [] }))).toMatch(/Invalid metric name/);
    expect(codeOf(() => checkBatch({ metrics: [], params: [{ key: 'p', value: 'x'.repeat(6001) }], tags: [] }))).toMatch(/exceeded length limit of 6000/);
    expect(codeOf(() => checkBatch({ metrics: [], params: [], tags: [{ key: 't', value: 'x'.repeat(8001) }] }))).toMatch(/exceeded length limit of 8000/);
    expect(codeOf(() => checkBatch({ metrics: [], params: [{ key: 'p', value: '1' }, { key: 'p', value: '2' }], tags: [] }))).toMatch(/Duplicate parameter key/);
  });

  it('holds experiment names to our naming rule', () => {
    expect(checkExperimentName('churn-2026.v1')).toBe('churn-2026.v1');
    expect(codeOf(() => checkExperimentName('/Users/ana/churn'))).toMatch(/^INVALID_PARAMETER_VALUE/);
  });
});

describe('runs as MLflow sees them', () => {
  it('maps statuses both ways and refuses one MLflow does not have', () => {
    expect(['running', 'completed', 'failed', 'killed'].map((s) => toMlflowStatus(s as never))).toEqual(['RUNNING', 'FINISHED', 'FAILED', 'KILLED']);
    expect(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'].map(fromMlflowStatus)).toEqual(['running', 'running', 'completed', 'failed', 'killed']);
    expect(codeOf(() => fromMlflowStatus('DONE'))).toMatch(/^INVALID_PARAMETER_VALUE/);
  });

  it('answers a run with epoch-ms times, string params, its name as mlflow.runName and its experiment id', () => {
    const run = {
      _id: 'run:r',
      version: 3,
      run_id: '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10',
      experiment_name: 'churn',
      name: 'baseline',
      status: 'completed',
      params: [{ key: 'depth', value: 6 }],
      tags: [],
      tag_values: [{ key: 'mlflow.user', value: 'ana' }],
      deleted: false,
      start_time: '2023-11-14T22:13:20.000Z',
      end_time: '2023-11-14T22:13:21.000Z',
      metrics: [{ key: 'acc', value: 0.9, step: 2, timestamp: '2023-11-14T22:13:20.500Z' }],
      metric_buckets: [],
      created_at: '',
      created_by: 'svc',
      updated_at: '',
      updated_by: 'svc',
    } as RunDocument;
    const experimentId = experimentMlflowId('churn');
    expect(toMlflowRun(run)).toEqual({
      info: {
        run_id: run.run_id,
        run_uuid: run.run_id,
        run_name: 'baseline',
        experiment_id: experimentId,
        user_id: 'ana',
        status: 'FINISHED',
        start_time: 1_700_000_000_000,
        end_time: 1_700_000_001_000,
        artifact_uri: `mlflow-artifacts:/${experimentId}/${run.run_id}/artifacts`,
        lifecycle_stage: 'active',
      },
      data: {
        metrics: [{ key: 'acc', value: 0.9, step: 2, timestamp: 1_700_000_000_500 }],
        params: [{ key: 'depth', value: '6' }],
        tags: [
          { key: 'mlflow.user', value: 'ana' },
          { key: 'mlflow.runName', value: 'baseline' },
        ],
      },
      inputs: { dataset_inputs: [] },
    });
  });

  it('answers dataset inputs with their context and, when linked, the Feature Store dataset as tags', () => {
    const input = { name: 'trips', digest: 'a'.repeat(64), source_type: 'local', source: 'raw/trips.csv' };
    const run = { run_id: 'r', experiment_name: 'churn', name: 'n', status: 'running', params: [], tag_values: [], metrics: [], start_time: '2023-11-14T22:13:20.000Z' } as unknown as RunDocument;
    const inputs = toMlflowRun({ ...run, inputs: [{ ...input, context: 'training', dataset_id: 'trips' }, input] }).inputs.dataset_inputs;
    expect(inputs).toEqual([
      {
        tags: [
          { key: 'mlflow.data.context', value: 'training' },
          { key: 'mlops.feature_store.dataset_id', value: 'trips' },
        ],
        dataset: input,
      },
      { tags: [], dataset: input },
    ]);
  });
});
