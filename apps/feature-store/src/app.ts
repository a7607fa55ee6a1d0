import { featureStoreCatalog } from '@mlops/events';
import { createDomainService } from '@mlops/platform';
import { featureStoreConfigSchema } from './config';
import { DatasetsController } from './datasets/datasets.controller';
import { datasetsProjection } from './datasets/datasets.projection';
import { DatasetsService } from './datasets/datasets.service';
import { DriftComputation } from './datasets/drift-computation';
import { DriftController } from './datasets/drift.controller';
import { driftReportsProjection } from './datasets/drift.projection';
import { DriftService } from './datasets/drift.service';
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
      projections: [datasetsProjection, featuresProjection, driftReportsProjection],
      // Datasets first: `/features/datasets…` must match before `/features/:name`.
      controllers: [DatasetsController, DriftController, FeaturesController],
      providers: [DuckDbProfiler, DatasetsService, DriftComputation, DriftService, FeaturesService],
    },
    env,
  );
