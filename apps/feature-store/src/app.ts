import { featureStoreCatalog } from '@mlops/events';
import { createDomainService } from '@mlops/platform';

/** Feature Store: Features with immutable versions, and datasets profiled by DuckDB. */
export const createFeatureStoreApp = (env: Record<string, string | undefined> = process.env) =>
  createDomainService(
    {
      service: 'feature-store',
      defaultPort: 3001,
      title: 'Feature Store',
      description: 'Features with immutable versions, and datasets profiled by DuckDB.',
      catalog: featureStoreCatalog,
      projections: [],
      controllers: [],
      providers: [],
    },
    env,
  );
