import { LIFECYCLE_API } from '../routes';
import type { ExperimentDto } from './experiments.dto';
import type { ExperimentDocument } from './experiments.projection';

export const presentExperiment = ({ _id, ...experiment }: ExperimentDocument): ExperimentDto => experiment;
export const experimentLocation = (name: string) => `/${LIFECYCLE_API}/experiments/${encodeURIComponent(name)}`;
