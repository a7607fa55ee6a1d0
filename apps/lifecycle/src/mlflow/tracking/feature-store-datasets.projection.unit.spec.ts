import { DatasetEvent, DatasetProfileData, featureStoreCatalog } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { featureStoreDatasetsProjection } from './feature-store-datasets.projection';

const measured = (content_sha256: string | null): DatasetProfileData => ({
  schema: [{ column: 'fare', type: 'DOUBLE' }],
  row_count: 2,
  size_bytes: 40,
  content_sha256,
  profile: [],
});
const registered = (content_sha256: string | null): DatasetEvent => ({
  type: 'DatasetRegistered',
  data: { id: 'trips', name: 'trips', description: '', source_type: 'csv', path: 'raw/trips.csv', table_name: null, tags: [], ...measured(content_sha256) },
});
const profiled = (content_sha256: string | null): DatasetEvent => ({ type: 'DatasetProfiled', data: { id: 'trips', ...measured(content_sha256) } });

const spec = ProjectionSpecification.for(featureStoreDatasetsProjection, featureStoreCatalog);

describe('the Feature Store datasets the lifecycle service knows', () => {
  it('keeps every sha256 the file has had, each once, in the order seen', async () => {
    await spec
      .givenStream('dataset:trips', registered('a'.repeat(64)), profiled('b'.repeat(64)), profiled('a'.repeat(64)), profiled('b'.repeat(64)))
      .thenMatches({ dataset_id: 'trips', name: 'trips', version: 4, content_sha256s: ['a'.repeat(64), 'b'.repeat(64)] });
  });

  it('has no digest for a DuckDB table, nor after a refresh without one', async () => {
    await spec.givenStream('dataset:trips', registered(null), profiled(null)).thenMatches({ version: 2, content_sha256s: [] });
  });
});
