import { EventCatalog } from './catalog';
import { Topics } from './topics';

// Catalogs of the domains whose events are not defined yet; each grows with its service.
export const featureStoreCatalog = new EventCatalog(Topics.featureStore, '/mlops/feature-store', []);
export const evaluationCatalog = new EventCatalog(Topics.evaluation, '/mlops/evaluation', []);
export const promptGovernanceCatalog = new EventCatalog(Topics.promptGovernance, '/mlops/prompt-governance', []);
