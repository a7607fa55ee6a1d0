import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CommandRoute, createdReply, IfMatch, PageRoute, presentPage, ReadRoute, updatedReply, withVersionTag } from '@mlops/platform';
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
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentsService) {}

  @Post()
  @CommandRoute({
    summary: 'Deploy a model version to development, staging or production (status pending)',
    created: DeploymentDto,
    accepted: true,
    badRequest: 'Invalid input (problem+json), e.g. traffic_percent outside 1–100',
    notFound: 'No such model version',
    conflict: 'The live deployments of the model in the environment would take more than 100% of the traffic',
    unprocessable: 'The version is archived, or not in stage production for the production environment',
  })
  async create(@Body() dto: CreateDeploymentDto) {
    const { deploymentId, ...result } = await this.deployments.create(dto);
    return createdReply(await this.deployments.namedResult(result), deploymentLocation(deploymentId), presentDeployment);
  }

  @Get()
  @PageRoute({ summary: 'List deployments (filters: model_name, environment, status)', page: DeploymentPageDto })
  async list(@Query() query: ListDeploymentsQueryDto): Promise<DeploymentPageDto> {
    const page = await this.deployments.list(query);
    return presentPage({ ...page, items: await this.deployments.named(page.items) }, presentDeployment);
  }

  @Get(':id')
  @ReadRoute({ summary: 'Get a deployment with its status history, health, metrics and drift alerts', ok: DeploymentDto, notFound: 'No such deployment' })
  async get(@Param() params: DeploymentIdParamsDto) {
    const [doc] = await this.deployments.named([await this.deployments.get(params.id)]);
    return withVersionTag(doc.version, presentDeployment(doc));
  }

  @Patch(':id')
  @CommandRoute({
    summary: 'Move the status along the state machine and/or report health and metrics',
    description: 'States: pending → validating → deploying → active; pending, validating, deploying, active or rollback → failed. Rollback: POST /deployments/{id}/rollback; termination: DELETE. Illegal transitions answer 422 and write nothing.',
    ifMatch: true,
    ok: DeploymentDto,
    notFound: 'No such deployment',
    preconditionFailed: true,
    unprocessable: 'Illegal status transition, or health for an ended deployment',
  })
  async update(@Param() params: DeploymentIdParamsDto, @Body() dto: UpdateDeploymentDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.deployments.namedResult(await this.deployments.update(params.id, dto, ifMatch)), deploymentLocation(params.id), presentDeployment);
  }

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
