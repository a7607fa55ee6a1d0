import { promptGovernanceCatalog } from '@mlops/events';
import { createDomainService } from '@mlops/platform';

/** Prompt Governance: Versioned prompt templates, automatic evaluation, approval, labels and usage. */
export const createPromptGovernanceApp = (env: Record<string, string | undefined> = process.env) =>
  createDomainService(
    {
      service: 'prompt-governance',
      defaultPort: 3004,
      title: 'Prompt Governance',
      description: 'Versioned prompt templates, automatic evaluation, approval, labels and usage.',
      catalog: promptGovernanceCatalog,
      projections: [],
      controllers: [],
      providers: [],
    },
    env,
  );
