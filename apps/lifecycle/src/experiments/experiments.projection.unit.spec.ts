import { lifecycleCatalog } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { experimentMlflowId } from '../mlflow/tracking/experiment-ids';
import { experimentsProjection } from './experiments.projection';

const spec = ProjectionSpecification.for(experimentsProjection, lifecycleCatalog);
const day = (n: number) => `2026-01-0${n}T00:00:00.000Z`;

describe('experiments read model', () => {
  it('is built from the events alone: who and when come from the envelope', async () => {
    await spec
      .givenStream(
        'experiment:churn',
        { event: { type: 'ExperimentCreated', data: { name: 'churn', description: '', owner: 'ana', tags: ['a'] } }, at: day(1), by: 'ana' },
        { event: { type: 'ExperimentUpdated', data: { name: 'churn', tags: ['a', 'b'] } }, at: day(2), by: 'bo' },
        { event: { type: 'ExperimentArchived', data: { name: 'churn' } }, at: day(3), by: 'cy' },
      )
      .then({
        version: 3,
        name: 'churn',
        description: '',
        owner: 'ana',
        tags: ['a', 'b'],
        tag_values: [],
        mlflow_id: experimentMlflowId('churn'),
        status: 'archived',
        created_at: day(1),
        created_by: 'ana',
        updated_at: day(3),
        updated_by: 'cy',
      });
  });

  it('keeps key/value tags: set, replaced, deleted', async () => {
    await spec
      .givenStream(
        'experiment:churn',
        { type: 'ExperimentCreated', data: { name: 'churn', description: '', owner: 'ana', tags: [] } },
        { type: 'ExperimentTagSet', data: { name: 'churn', key: 'team', value: 'risk' } },
        { type: 'ExperimentTagSet', data: { name: 'churn', key: 'stage', value: 'dev' } },
        { type: 'ExperimentTagSet', data: { name: 'churn', key: 'team', value: 'ops' } },
        { type: 'ExperimentTagDeleted', data: { name: 'churn', key: 'stage' } },
      )
      .thenMatches({ version: 5, tag_values: [{ key: 'team', value: 'ops' }] });
  });

  it('shows a renamed experiment under its new name, its key and MLflow id unchanged, through later updates', async () => {
    await spec
      .givenStream(
        'experiment:churn',
        { type: 'ExperimentCreated', data: { name: 'churn', description: '', owner: 'ana', tags: [] } },
        { type: 'ExperimentRenamed', data: { name: 'churn', new_name: 'churn-v2', previous_name: 'churn' } },
        { type: 'ExperimentUpdated', data: { name: 'churn', description: 'second try' } },
      )
      .thenMatches({ _id: 'experiment:churn', version: 3, name: 'churn-v2', description: 'second try', mlflow_id: experimentMlflowId('churn') });
  });
});

