import type { Type } from '@nestjs/common';
import type { Projection, ReadModelDocument } from '@mlops/event-sourcing';
import { MlflowLoggedModelsController } from './logged-models/logged-models.controller';
import { loggedModelsProjection } from './logged-models/logged-models.projection';
import { MlflowRegistryController } from './registry/mlflow-registry.controller';
import { MlflowRegistryService } from './registry/mlflow-registry.service';
import { LoggedModelsService } from './logged-models/logged-models.service';
import { ArtifactsController, MlflowArtifactsController } from './artifacts/artifacts.controller';
import { ArtifactsService } from './artifacts/artifacts.service';
import { MlflowExperimentsController } from './tracking/mlflow-experiments.controller';
import { MlflowRunsController } from './tracking/mlflow-runs.controller';
import { MlflowTrackingService } from './tracking/mlflow-tracking.service';
import { featureStoreDatasetsProjection } from './tracking/feature-store-datasets.projection';

/**
 * The MLflow REST 2.0 facade's controllers and providers, registered in app.ts beside our own API.
 * Each half (tracking; registry, artifacts, logged models) adds its own here.
 */
export const mlflowControllers: Type<unknown>[] = [MlflowExperimentsController, MlflowRunsController, MlflowArtifactsController, ArtifactsController, MlflowLoggedModelsController, MlflowRegistryController];
export const mlflowProviders: Type<unknown>[] = [MlflowTrackingService, ArtifactsService, LoggedModelsService, MlflowRegistryService];
/** Read models only the MLflow facade has: MLflow 3's logged models; the Feature Store's datasets, which dataset inputs link to. */
export const mlflowProjections = [loggedModelsProjection, featureStoreDatasetsProjection] as unknown as Projection<ReadModelDocument>[];
