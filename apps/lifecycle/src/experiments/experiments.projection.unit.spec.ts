import { CloudEvent } from '@mlops/events';
import { experimentMlflowId } from '../mlflow/tracking/experiment-ids';
import { ExperimentDocument, experimentsProjection } from './experiments.projection';

let version = 0;
const event = (type: string, data: Record<string, unknown>, actor = 'ana'): CloudEvent => ({
  specversion: '1.0',
  id: `e${++version}`,
  source: '/mlops/lifecycle',
  type: `mlops.lifecycle.experiment.${type}.v1`,
  subject: 'experiment:churn',
  time: `2026-01-0${version}T00:00:00.000Z`,
  datacontenttype: 'application/json',
  data,
  streamversion: version,
  actor,
  correlationid: 'c',
});

describe('experiments read model', () => {
  it('is built from the events alone: who and when come from the envelope', () => {
    version = 0;
    const events = [
      event('created', { name: 'churn', description: '', owner: 'ana', tags: ['a'] }),
      event('updated', { name: 'churn', tags: ['a', 'b'] }, 'bo'),
      event('tag_set', { name: 'churn', key: 'team', value: 'risk' }, 'bo'),
      event('tag_set', { name: 'churn', key: 'stage', value: 'dev' }, 'bo'),
      event('tag_deleted', { name: 'churn', key: 'team' }, 'bo'),
      event('archived', { name: 'churn' }, 'cy'),
    ];
    let doc: ExperimentDocument | null = null;
    for (const e of events) doc = { ...experimentsProjection.evolve(doc, e), _id: e.subject, version: e.streamversion } as ExperimentDocument;
    expect(doc).toEqual({
      _id: 'experiment:churn',
      version: 6,
      name: 'churn',
      description: '',
      owner: 'ana',
      tags: ['a', 'b'],
      status: 'archived',
      tag_values: [{ key: 'stage', value: 'dev' }],
      mlflow_id: experimentMlflowId('churn'),
      created_at: '2026-01-01T00:00:00.000Z',
      created_by: 'ana',
      updated_at: '2026-01-06T00:00:00.000Z',
      updated_by: 'cy',
    });
  });
});
