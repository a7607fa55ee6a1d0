import { LIFECYCLE_API } from '../routes';
import type { DeploymentDto } from './deployments.dto';
import type { DeploymentDocument } from './deployments.projection';

export const presentDeployment = ({ _id, ...deployment }: DeploymentDocument): DeploymentDto => deployment;
export const deploymentLocation = (id: string) => `/${LIFECYCLE_API}/deployments/${id}`;
