import { evaluationCatalog } from '@mlops/events';
import { createDomainService, withDefaults } from '@mlops/platform';
import { EVALUATION_DEFAULTS, evaluationConfigSchema } from './config';
import { datasetsProjection } from './datasets/datasets.projection';
import { modelVersionsProjection } from './model-versions/model-versions.projection';
import { evaluationWorkerReactor } from './runs/evaluation-worker';
import { RunsController } from './runs/runs.controller';
import { runsProjection } from './runs/runs.projection';
import { RunsService } from './runs/runs.service';
import { ScenariosController } from './scenarios/scenarios.controller';
import { scenariosProjection } from './scenarios/scenarios.projection';
import { ScenariosService } from './scenarios/scenarios.service';

/** Evaluation Harness: scenarios, asynchronous evaluation runs and reports. */
export const createEvaluationApp = (env: Record<string, string | undefined> = process.env) =>
  createDomainService(
    {
      service: 'evaluation',
      defaultPort: 3003,
      title: 'Evaluation Harness',
      description: 'Scenarios, asynchronous evaluation runs and reports.',
      catalog: evaluationCatalog,
      configSchema: evaluationConfigSchema,
      // Its own read models, and what it knows of model versions (lifecycle) and datasets (feature store).
      projections: [scenariosProjection, runsProjection, modelVersionsProjection, datasetsProjection],
      reactors: [evaluationWorkerReactor],
      controllers: [ScenariosController, RunsController],
      providers: [ScenariosService, RunsService],
    },
    withDefaults(EVALUATION_DEFAULTS, env),
  );
