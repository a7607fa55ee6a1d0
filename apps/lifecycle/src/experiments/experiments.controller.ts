import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ReadRoute, ResourceRoutes, withVersionTag } from '@mlops/platform';
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
@ResourceRoutes({
  service: ExperimentsService,
  order: ['create', 'list', 'get', 'update'],
  id: 'name',
  location: experimentLocation,
  present: presentExperiment,
  create: {
    body: CreateExperimentDto,
    createdId: (_, dto) => dto.name,
    docs: {
      summary: 'Create an experiment (name unique)',
      created: ExperimentDto,
      conflict: 'An experiment with this name exists',
    },
  },
  list: { query: ListExperimentsQueryDto, docs: { summary: 'List experiments (filters: owner, status, tag)', page: ExperimentPageDto } },
  update: {
    body: UpdateExperimentDto,
    docs: {
      summary: 'Update description, tags or status (active ↔ archived)',
      ok: ExperimentDto,
      notFound: 'No such experiment',
    },
  },
})
export class ExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Get(':name')
  @ReadRoute({ summary: 'Get an experiment with its run counts and, with ?metric=, its best run', ok: ExperimentDetailDto, notFound: 'No such experiment' })
  async get(@Param('name') name: string, @Query() query: ExperimentDetailQueryDto) {
    const { experiment, ...runs } = await this.experiments.detail(name, query);
    return withVersionTag(experiment.version, { ...presentExperiment(experiment), ...runs } satisfies ExperimentDetailDto);
  }
}
