import { featureStoreCatalog } from '@mlops/events';
import { createDomainService } from '@mlops/platform';
import { featureStoreConfigSchema } from './config';
import { DatasetsController } from './datasets/datasets.controller';
import { datasetsProjection } from './datasets/datasets.projection';
import { DatasetsService } from './datasets/datasets.service';
import { DuckDbProfiler } from './datasets/duckdb-profiler';
import { FeaturesController } from './features/features.controller';
import { featuresProjection } from './features/features.projection';
import { FeaturesService } from './features/features.service';

/** Feature Store: features with immutable versions, and datasets profiled by DuckDB. */
export const createFeatureStoreApp = (env: Record<string, string | undefined> = process.env) =>
  createDomainService(
    {
      service: 'feature-store',
      defaultPort: 3001,
      title: 'Feature Store',
      description: 'Features with immutable versions, and datasets profiled by DuckDB.',
      catalog: featureStoreCatalog,
      configSchema: featureStoreConfigSchema,
      projections: [datasetsProjection, featuresProjection],
      // Datasets first: `/features/datasets…` must match before `/features/:name`.
      controllers: [DatasetsController, FeaturesController],
      providers: [DuckDbProfiler, DatasetsService, FeaturesService],
    },
    env,
  );
