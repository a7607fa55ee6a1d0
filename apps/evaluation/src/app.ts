import { evaluationCatalog } from '@mlops/events';
import { createDomainService } from '@mlops/platform';

/** Evaluation Harness: Scenarios, asynchronous evaluation runs and reports. */
export const createEvaluationApp = (env: Record<string, string | undefined> = process.env) =>
  createDomainService(
    {
      service: 'evaluation',
      defaultPort: 3003,
      title: 'Evaluation Harness',
      description: 'Scenarios, asynchronous evaluation runs and reports.',
      catalog: evaluationCatalog,
      projections: [],
      controllers: [],
      providers: [],
    },
    env,
  );
