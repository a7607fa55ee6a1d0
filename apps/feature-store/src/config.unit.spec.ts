import { resolve } from 'node:path';
import { loadConfig, serviceConfigSchema, withDefaults } from '@mlops/platform';
import { featureStoreConfigSchema } from './config';

const load = (env: Record<string, string>) =>
  loadConfig(serviceConfigSchema.extend(featureStoreConfigSchema.shape), withDefaults({ PORT: '3001', MONGO_DB: 'mlops_feature_store' }, env), 'feature-store');

describe('feature-store configuration', () => {
  it('defaults the data root to ./data, resolved, and the DuckDB settings to small values', () => {
    expect(load({})).toMatchObject({
      FEATURE_STORE_DATA_ROOT: resolve('data'),
      FEATURE_STORE_DUCKDB_PATH: 'warehouse.duckdb',
      FEATURE_STORE_DUCKDB_THREADS: 2,
      FEATURE_STORE_DUCKDB_MEMORY_LIMIT: '1GB',
      FEATURE_STORE_PROFILE_CONCURRENCY: 2,
      FEATURE_STORE_DUCKDB_TEMP_DIR: expect.stringMatching(/feature-store-duckdb$/),
    });
    expect(load({ FEATURE_STORE_DATA_ROOT: '/srv/data', FEATURE_STORE_DUCKDB_THREADS: '4' })).toMatchObject({
      FEATURE_STORE_DATA_ROOT: '/srv/data',
      FEATURE_STORE_DUCKDB_THREADS: 4,
    });
  });

  it.each([
    ['FEATURE_STORE_DUCKDB_THREADS', 'many'],
    ['FEATURE_STORE_DUCKDB_THREADS', '0'],
    ['FEATURE_STORE_DUCKDB_MEMORY_LIMIT', 'lots'],
    ['FEATURE_STORE_PROFILE_CONCURRENCY', '-1'],
  ])('names %s when its value %s is bad', (name, value) => {
    expect(() => load({ [name]: value })).toThrow(new RegExp(name));
  });
});
