import { EventCatalog } from './catalog';
import { Topics } from './topics';

export const featureStoreCatalog = new EventCatalog(Topics.featureStore, '/mlops/feature-store', []);
