import { DatasetColumn, DatasetEvent, DatasetProfileData, DatasetRegisteredData, featureStoreCatalog } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { datasetsProjection } from './datasets.projection';

const measured = (schema: DatasetColumn[], row_count = 3): DatasetProfileData => ({
  schema,
  row_count,
  size_bytes: 120,
  content_sha256: 'a'.repeat(64),
  profile: schema.map(({ column, type }) => ({ column, type, null_count: 0, approx_distinct: row_count, min: null, max: null, mean: null, stddev: null })),
});
const COLUMNS: DatasetColumn[] = [
  { column: 'id', type: 'BIGINT' },
  { column: 'fare', type: 'DOUBLE' },
];
const registration: DatasetRegisteredData = { id: 'trips', name: 'trips', description: '', source_type: 'parquet', path: 'raw/trips.parquet', table_name: null, tags: ['taxi'], ...measured(COLUMNS) };
const registered: DatasetEvent = { type: 'DatasetRegistered', data: registration };
const STREAM = 'dataset:trips';
const at = (minute: number) => `2026-01-01T00:0${minute}:00.000Z`;
const spec = ProjectionSpecification.for(datasetsProjection, featureStoreCatalog);

describe('datasets read model (feature store)', () => {
  it('is the registered dataset with its measured schema and profile, profiled when registered', async () => {
    await spec.givenStream(STREAM, registered).then({
      version: 1,
      ...registration,
      profiled_at: at(0),
      last_schema_change: null,
      created_at: at(0),
      created_by: 'ana',
      updated_at: at(0),
      updated_by: 'ana',
    });
  });

  it('keeps the last schema change and the latest measurement', async () => {
    const widened = [...COLUMNS, { column: 'zone', type: 'VARCHAR' }];
    await spec
      .givenStream(
        STREAM,
        registered,
        { event: { type: 'DatasetSchemaChanged', data: { id: 'trips', added: [{ column: 'zone', type: 'VARCHAR' }], removed: [], retyped: [], schema: widened } }, by: 'bo' },
        { event: { type: 'DatasetProfiled', data: { id: 'trips', ...measured(widened, 5) } }, by: 'bo' },
      )
      .thenMatches({
        version: 3,
        schema: widened,
        row_count: 5,
        profile: measured(widened, 5).profile,
        profiled_at: at(2),
        last_schema_change: { added: [{ column: 'zone', type: 'VARCHAR' }], removed: [], retyped: [], changed_at: at(1) },
        created_by: 'ana',
        updated_at: at(2),
        updated_by: 'bo',
      });
  });
});
