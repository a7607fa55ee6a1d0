import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AcceptedDto, CommandRoute, createdReply, IfMatch, PageRoute, presentPage, ReadRoute, updatedReply, withVersionTag } from '@mlops/platform';
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
  @CommandRoute({
    summary: 'Create an experiment (name unique)',
    created: ExperimentDto,
    accepted: { type: AcceptedDto, description: 'Stored; the read model did not catch up within the bound' },
    badRequest: 'Invalid input (problem+json)',
    conflict: 'An experiment with this name exists',
  })
  async create(@Body() dto: CreateExperimentDto) {
    return createdReply(await this.experiments.create(dto), experimentLocation(dto.name), presentExperiment);
  }

  @Get()
  @PageRoute({ summary: 'List experiments (filters: owner, status, tag)', page: ExperimentPageDto })
  async list(@Query() query: ListExperimentsQueryDto): Promise<ExperimentPageDto> {
    return presentPage(await this.experiments.list(query), presentExperiment);
  }

  @Get(':name')
  @ReadRoute({ summary: 'Get an experiment with its run counts and, with ?metric=, its best run', ok: ExperimentDetailDto, notFound: 'No such experiment' })
  async get(@Param('name') name: string, @Query() query: ExperimentDetailQueryDto) {
    const { experiment, ...runs } = await this.experiments.detail(name, query);
    return withVersionTag(experiment.version, { ...presentExperiment(experiment), ...runs } satisfies ExperimentDetailDto);
  }

  @Patch(':name')
  @CommandRoute({
    summary: 'Update description, tags or status (active ↔ archived)',
    ifMatch: 'ETag ("<version>") the update applies to',
    ok: ExperimentDto,
    notFound: 'No such experiment',
    preconditionFailed: 'If-Match does not match the current version',
  })
  async update(@Param('name') name: string, @Body() dto: UpdateExperimentDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.experiments.update(name, dto, ifMatch), experimentLocation(name), presentExperiment);
  }
}
