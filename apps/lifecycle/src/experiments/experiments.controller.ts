import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
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
} from '@nestjs/swagger';
import { AcceptedDto, createdReply, IfMatch, presentPage, updatedReply, withVersionTag } from '@mlops/platform';
import { LIFECYCLE_API } from '../routes';
import {
  CreateExperimentDto,
  ExperimentDetailDto,
  ExperimentDetailQueryDto,
  ExperimentDto,
  ExperimentPageDto,
  ListExperimentsQueryDto,
  UpdateExperimentDto,
} from './experiments.dto';
import { experimentLocation, presentExperiment } from './experiments.presenter';
import { ExperimentsService } from './experiments.service';

@ApiTags('experiments')
@Controller(`${LIFECYCLE_API}/experiments`)
export class ExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an experiment (name unique)' })
  @ApiCreatedResponse({ type: ExperimentDto })
  @ApiAcceptedResponse({ type: AcceptedDto, description: 'Stored; the read model did not catch up within the bound' })
  @ApiBadRequestResponse({ description: 'Invalid input (problem+json)' })
  @ApiConflictResponse({ description: 'An experiment with this name exists' })
  async create(@Body() dto: CreateExperimentDto) {
    return createdReply(await this.experiments.create(dto), experimentLocation(dto.name), presentExperiment);
  }

  @Get()
  @ApiOperation({ summary: 'List experiments (filters: owner, status, tag)' })
  @ApiOkResponse({ type: ExperimentPageDto })
  async list(@Query() query: ListExperimentsQueryDto): Promise<ExperimentPageDto> {
    return presentPage(await this.experiments.list(query), presentExperiment);
  }

  @Get(':name')
  @ApiOperation({ summary: 'Get an experiment with its run counts and, with ?metric=, its best run' })
  @ApiOkResponse({ type: ExperimentDetailDto })
  @ApiNotFoundResponse({ description: 'No such experiment' })
  async get(@Param('name') name: string, @Query() query: ExperimentDetailQueryDto) {
    const { experiment, ...runs } = await this.experiments.detail(name, query);
    return withVersionTag(experiment.version, { ...presentExperiment(experiment), ...runs } satisfies ExperimentDetailDto);
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Update description, tags or status (active ↔ archived)' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag ("<version>") the update applies to' })
  @ApiOkResponse({ type: ExperimentDto })
  @ApiNotFoundResponse({ description: 'No such experiment' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version' })
  async update(@Param('name') name: string, @Body() dto: UpdateExperimentDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.experiments.update(name, dto, ifMatch), experimentLocation(name), presentExperiment);
  }
}
