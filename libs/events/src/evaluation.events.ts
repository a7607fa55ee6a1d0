import { EventCatalog } from './catalog';
import { Topics } from './topics';

export const evaluationCatalog = new EventCatalog(Topics.evaluation, '/mlops/evaluation', []);
