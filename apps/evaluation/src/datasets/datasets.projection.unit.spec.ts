import { DatasetColumn, DatasetEvent, DatasetProfileData, featureStoreCatalog } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { datasetsProjection, knownDatasetId } from './datasets.projection';

const measured = (schema: DatasetColumn[], row_count: number): DatasetProfileData => ({
  schema,
  row_count,
  size_bytes: 10 * row_count,
  content_sha256: String(row_count).repeat(64).slice(0, 64),
  profile: schema.map(({ column, type }) => ({ column, type, null_count: 0, approx_distinct: row_count, min: null, max: null, mean: null, stddev: null })),
});
const COLUMNS: DatasetColumn[] = [{ column: 'label', type: 'BIGINT' }];
const WIDER: DatasetColumn[] = [...COLUMNS, { column: 'country', type: 'VARCHAR' }];
const registered: DatasetEvent = {
  type: 'DatasetRegistered',
  data: { id: 'holdout', name: 'holdout', description: 'not kept here', source_type: 'csv', path: 'holdout.csv', table_name: null, tags: ['x'], ...measured(COLUMNS, 3) },
};
const at = (minute: number) => `2026-01-01T00:0${minute}:00.000Z`;
const spec = ProjectionSpecification.for(datasetsProjection, featureStoreCatalog);

describe('known datasets read model (evaluation, fed by the feature-store topic)', () => {
  it('keeps what an evaluation needs of a registered dataset', async () => {
    await spec.givenStream(knownDatasetId('holdout'), registered).then({
      version: 1,
      dataset_id: 'holdout',
      name: 'holdout',
      source_type: 'csv',
      path: 'holdout.csv',
      table_name: null,
      ...measured(COLUMNS, 3),
      registered_at: at(0),
      profiled_at: at(0),
    });
  });

  it('follows schema changes and new measurements', async () => {
    await spec
      .givenStream(
        knownDatasetId('holdout'),
        registered,
        { type: 'DatasetSchemaChanged', data: { id: 'holdout', added: [{ column: 'country', type: 'VARCHAR' }], removed: [], retyped: [], schema: WIDER } },
        { type: 'DatasetProfiled', data: { id: 'holdout', ...measured(WIDER, 7) } },
      )
      .thenMatches({ version: 3, ...measured(WIDER, 7), registered_at: at(0), profiled_at: at(2) });
  });
});
