import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CommandRoute, IfMatch, ResourceRoutes, updatedReply } from '@mlops/platform';
import { LIFECYCLE_API } from '../routes';
import {
  CreateDeploymentDto,
  DeploymentDto,
  DeploymentIdParamsDto,
  DeploymentPageDto,
  ListDeploymentsQueryDto,
  ReasonDto,
  UpdateDeploymentDto,
} from './deployments.dto';
import { deploymentLocation, presentDeployment } from './deployments.presenter';
import { DeploymentsService } from './deployments.service';

@ApiTags('deployments')
@Controller(`${LIFECYCLE_API}/deployments`)
@ResourceRoutes({
  service: DeploymentsService,
  id: 'id',
  params: DeploymentIdParamsDto,
  location: deploymentLocation,
  present: presentDeployment,
  named: (deployments, docs) => deployments.named(docs),
  create: {
    body: CreateDeploymentDto,
    createdId: (result) => result.deploymentId,
    docs: {
      summary: 'Deploy a model version to development, staging or production (status pending)',
      created: DeploymentDto,
      badRequest: 'Invalid input (problem+json), e.g. traffic_percent outside 1–100',
      notFound: 'No such model version',
      conflict: 'The live deployments of the model in the environment would take more than 100% of the traffic',
      unprocessable: 'The version is archived, or not in stage production for the production environment',
    },
  },
  list: { query: ListDeploymentsQueryDto, docs: { summary: 'List deployments (filters: model_name, environment, status)', page: DeploymentPageDto } },
  get: { summary: 'Get a deployment with its status history, health, metrics and drift alerts', ok: DeploymentDto, notFound: 'No such deployment' },
  update: {
    body: UpdateDeploymentDto,
    docs: {
      summary: 'Move the status along the state machine and/or report health and metrics',
      description: 'States: pending → validating → deploying → active; pending, validating, deploying, active or rollback → failed. Rollback: POST /deployments/{id}/rollback; termination: DELETE. Illegal transitions answer 422 and write nothing.',
      ok: DeploymentDto,
      unprocessable: 'Illegal status transition, or health for an ended deployment',
    },
  },
})
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentsService) {}

  @Post(':id/promote')
  @HttpCode(200)
  @CommandRoute({
    summary: 'Promote an active canary to 100% of the traffic',
    description: 'Emits deployment.promoted; the canary then holds all of the traffic allocation, and the other live deployments of the model in the environment are terminated (one command each, at least once, by a reactor). The answer waits, bounded, until the read model shows them terminated.',
    ifMatch: true,
    ok: DeploymentDto,
    notFound: 'No such deployment',
    unprocessable: 'Not active, or already at 100%',
  })
  async promote(@Param() params: DeploymentIdParamsDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.deployments.namedResult(await this.deployments.promote(params.id, ifMatch)), deploymentLocation(params.id), presentDeployment);
  }

  @Post(':id/rollback')
  @HttpCode(200)
  @CommandRoute({
    summary: 'Roll back an active deployment (status rollback; terminate it once the previous version serves)',
    ifMatch: true,
    ok: DeploymentDto,
    notFound: 'No such deployment',
    unprocessable: 'The deployment is not active',
  })
  async rollBack(@Param() params: DeploymentIdParamsDto, @Body() dto: ReasonDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.deployments.namedResult(await this.deployments.rollBack(params.id, dto.reason, ifMatch)), deploymentLocation(params.id), presentDeployment);
  }

  @Delete(':id')
  @CommandRoute({
    summary: 'Terminate a live deployment (status terminated, terminated_at set; the record is kept)',
    ifMatch: true,
    ok: DeploymentDto,
    notFound: 'No such deployment',
    unprocessable: 'Already terminated or failed',
  })
  async terminate(@Param() params: DeploymentIdParamsDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.deployments.namedResult(await this.deployments.terminate(params.id, ifMatch)), deploymentLocation(params.id), presentDeployment);
  }
}
