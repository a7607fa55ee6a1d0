import { EventCatalog } from './catalog';
import { Topics } from './topics';

export const promptGovernanceCatalog = new EventCatalog(Topics.promptGovernance, '/mlops/prompt-governance', []);
