import { lifecycleCatalog } from '@mlops/events';
import { createDomainService } from '@mlops/platform';
import { lifecycleConfigSchema } from './config';
import { DeploymentsController } from './deployments/deployments.controller';
import { deploymentsProjection } from './deployments/deployments.projection';
import { DeploymentsService } from './deployments/deployments.service';
import { DriftEventsController } from './drift-events/drift-events.controller';
import { driftEventsProjection } from './drift-events/drift-events.projection';
import { DriftEventsService } from './drift-events/drift-events.service';
import { computedDriftReactor } from './computed-drift/computed-drift.reactor';
import { driftAlertReactor } from './drift-alerts/drift-alert.reactor';
import { evaluationGateReactor } from './evaluation-gate/evaluation-gate.reactor';
import { ExperimentsController } from './experiments/experiments.controller';
import { experimentsProjection } from './experiments/experiments.projection';
import { ExperimentsService } from './experiments/experiments.service';
import { mlflowControllers, mlflowProjections, mlflowProviders } from './mlflow/mlflow.wiring';
import { ModelsController } from './models/models.controller';
import { modelsProjection } from './models/models.projection';
import { ModelsService } from './models/models.service';
import { RunsController } from './runs/runs.controller';
import { runsProjection } from './runs/runs.projection';
import { RunsService } from './runs/runs.service';
import { promotionReactor } from './promotion/promotion.reactor';
import { trafficAllocationReactor } from './traffic-allocation/traffic-allocation.reactor';
import { TrafficAllocations } from './traffic-allocation/traffic-allocations.service';

/** Model Lifecycle: experiments, runs, model versions, deployments, drift events. */
export const createLifecycleApp = (env: Record<string, string | undefined> = process.env) =>
  createDomainService(
    {
      service: 'lifecycle',
      defaultPort: 3002,
      title: 'Model Lifecycle',
      description: 'Experiments, runs, model versions, deployments and drift events.',
      catalog: lifecycleCatalog,
      configSchema: lifecycleConfigSchema,
      projections: [experimentsProjection, runsProjection, modelsProjection, deploymentsProjection, driftEventsProjection, ...mlflowProjections],
      // Evaluation results check or uncheck the model versions' evaluation_passed item; critical
      // drift pages live production deployments; a promotion ends the other live deployments;
      // deployments that end, roll back or are promoted have their traffic allocation follow.
      reactors: [evaluationGateReactor, driftAlertReactor, promotionReactor, trafficAllocationReactor, computedDriftReactor],
      // MLflow's REST 2.0 facade over the same commands and read models (outside our OpenAPI document).
      controllers: [ExperimentsController, RunsController, ModelsController, DeploymentsController, DriftEventsController, ...mlflowControllers],
      providers: [ExperimentsService, RunsService, ModelsService, DeploymentsService, DriftEventsService, TrafficAllocations, ...mlflowProviders],
    },
    env,
  );
