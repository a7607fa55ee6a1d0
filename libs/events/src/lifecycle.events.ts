import { EventCatalog } from './catalog';
import { Topics } from './topics';
import experimentCreated from '../schemas/lifecycle/experiment.created.v1.json';
import experimentUpdated from '../schemas/lifecycle/experiment.updated.v1.json';
import experimentArchived from '../schemas/lifecycle/experiment.archived.v1.json';
import experimentRestored from '../schemas/lifecycle/experiment.restored.v1.json';

export interface ExperimentCreatedData {
  name: string;
  description: string;
  owner: string;
  tags: string[];
}
export interface ExperimentUpdatedData {
  name: string;
  description?: string;
  tags?: string[];
}
export interface ExperimentArchivedData {
  name: string;
}
export interface ExperimentRestoredData {
  name: string;
}

export type ExperimentEvent =
  | { type: 'ExperimentCreated'; data: ExperimentCreatedData }
  | { type: 'ExperimentUpdated'; data: ExperimentUpdatedData }
  | { type: 'ExperimentArchived'; data: ExperimentArchivedData }
  | { type: 'ExperimentRestored'; data: ExperimentRestoredData };

export const lifecycleCatalog = new EventCatalog(Topics.lifecycle, '/mlops/lifecycle', [
  { name: 'ExperimentCreated', type: 'mlops.lifecycle.experiment.created.v1', schema: experimentCreated },
  { name: 'ExperimentUpdated', type: 'mlops.lifecycle.experiment.updated.v1', schema: experimentUpdated },
  { name: 'ExperimentArchived', type: 'mlops.lifecycle.experiment.archived.v1', schema: experimentArchived },
  { name: 'ExperimentRestored', type: 'mlops.lifecycle.experiment.restored.v1', schema: experimentRestored },
]);
