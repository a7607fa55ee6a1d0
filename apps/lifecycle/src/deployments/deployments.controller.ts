import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AcceptedDto, createdReply, IfMatch, presentPage, updatedReply, withVersionTag } from '@mlops/platform';
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
const IF_MATCH = { name: 'If-Match', required: false, description: 'ETag ("<version>") the command applies to' };

@ApiTags('deployments')
@Controller(`${LIFECYCLE_API}/deployments`)
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentsService) {}

  @Post()
  @ApiOperation({ summary: 'Deploy a model version to development, staging or production (status pending)' })
  @ApiCreatedResponse({ type: DeploymentDto })
  @ApiAcceptedResponse({ type: AcceptedDto, description: 'Stored; the read model did not catch up within the bound' })
  @ApiBadRequestResponse({ description: 'Invalid input (problem+json), e.g. traffic_percent outside 1–100' })
  @ApiNotFoundResponse({ description: 'No such model version' })
  @ApiConflictResponse({ description: 'The live deployments of the model in the environment would take more than 100% of the traffic' })
  @ApiUnprocessableEntityResponse({ description: 'The version is archived, or not in stage production for the production environment' })
  async create(@Body() dto: CreateDeploymentDto) {
    const { deploymentId, ...result } = await this.deployments.create(dto);
    return createdReply(result, deploymentLocation(deploymentId), presentDeployment);
  }

  @Get()
  @ApiOperation({ summary: 'List deployments (filters: model_name, environment, status)' })
  @ApiOkResponse({ type: DeploymentPageDto })
  async list(@Query() query: ListDeploymentsQueryDto): Promise<DeploymentPageDto> {
    return presentPage(await this.deployments.list(query), presentDeployment);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a deployment with its status history, health, metrics and drift alerts' })
  @ApiOkResponse({ type: DeploymentDto })
  @ApiNotFoundResponse({ description: 'No such deployment' })
  async get(@Param() params: DeploymentIdParamsDto) {
    const doc = await this.deployments.get(params.id);
    return withVersionTag(doc.version, presentDeployment(doc));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Move the status along the state machine and/or report health and metrics',
    description:
      'States: pending → validating → deploying → active; pending, validating, deploying, active or rollback → failed. Rollback: POST /deployments/{id}/rollback; termination: DELETE. Illegal transitions answer 422 and write nothing.',
  })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: DeploymentDto })
  @ApiNotFoundResponse({ description: 'No such deployment' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version' })
  @ApiUnprocessableEntityResponse({ description: 'Illegal status transition, or health for an ended deployment' })
  async update(@Param() params: DeploymentIdParamsDto, @Body() dto: UpdateDeploymentDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.deployments.update(params.id, dto, ifMatch), deploymentLocation(params.id), presentDeployment);
  }

  @Post(':id/promote')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Promote an active canary to 100% of the traffic',
    description:
      'Emits deployment.promoted; the canary then holds all of the traffic allocation, and the other live deployments of the model in the environment are terminated (one command each, at least once, by a reactor). The answer waits, bounded, until the read model shows them terminated.',
  })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: DeploymentDto })
  @ApiNotFoundResponse({ description: 'No such deployment' })
  @ApiUnprocessableEntityResponse({ description: 'Not active, or already at 100%' })
  async promote(@Param() params: DeploymentIdParamsDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.deployments.promote(params.id, ifMatch), deploymentLocation(params.id), presentDeployment);
  }

  @Post(':id/rollback')
  @HttpCode(200)
  @ApiOperation({ summary: 'Roll back an active deployment (status rollback; terminate it once the previous version serves)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: DeploymentDto })
  @ApiNotFoundResponse({ description: 'No such deployment' })
  @ApiUnprocessableEntityResponse({ description: 'The deployment is not active' })
  async rollBack(@Param() params: DeploymentIdParamsDto, @Body() dto: ReasonDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.deployments.rollBack(params.id, dto.reason, ifMatch), deploymentLocation(params.id), presentDeployment);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Terminate a live deployment (status terminated, terminated_at set; the record is kept)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: DeploymentDto })
  @ApiNotFoundResponse({ description: 'No such deployment' })
  @ApiUnprocessableEntityResponse({ description: 'Already terminated or failed' })
  async terminate(@Param() params: DeploymentIdParamsDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.deployments.terminate(params.id, ifMatch), deploymentLocation(params.id), presentDeployment);
  }
}
