import { promptGovernanceCatalog } from '@mlops/events';
import { createDomainService } from '@mlops/platform';
import { promptGovernanceConfigSchema } from './config';
import { EvaluationController } from './evaluation/evaluation.controller';
import { EvaluationService } from './evaluation/evaluation.service';
import { ReviewPolicyController } from './templates/review-policy.controller';
import { TemplatesController } from './templates/templates.controller';
import { templatesProjection } from './templates/templates.projection';
import { TemplatesService } from './templates/templates.service';
import { UsageController } from './usage/usage.controller';
import { usageProjection } from './usage/usage.projection';
import { UsageService } from './usage/usage.service';

/** Prompt Governance: versioned prompt templates, automatic evaluation, approval, labels and usage. */
export const createPromptGovernanceApp = (env: Record<string, string | undefined> = process.env) =>
  createDomainService(
    {
      service: 'prompt-governance',
      defaultPort: 3004,
      title: 'Prompt Governance',
      description: 'Versioned prompt templates, automatic evaluation, four-eyes approval, labels and usage.',
      catalog: promptGovernanceCatalog,
      configSchema: promptGovernanceConfigSchema,
      projections: [templatesProjection, usageProjection],
      controllers: [TemplatesController, ReviewPolicyController, EvaluationController, UsageController],
      providers: [TemplatesService, EvaluationService, UsageService],
    },
    env,
  );
