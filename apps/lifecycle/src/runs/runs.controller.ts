import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExtraModels, ApiTags } from '@nestjs/swagger';
import { ListQueryDto, PageRoute, presentPage, ResourceRoutes } from '@mlops/platform';
import { LIFECYCLE_API } from '../routes';
import { ListRunsQueryDto, MetricHistoryPageDto, MetricPointDto, MetricHistoryParamsDto, RunDto, RunPageDto, StartRunDto, UpdateRunDto } from './runs.dto';
import { presentPoint, presentRun, runLocation } from './runs.presenter';
import { RunsService } from './runs.service';

@ApiTags('runs')
// UpdateRunDto's metrics refer to it from a oneOf.
@ApiExtraModels(MetricPointDto)
@Controller(`${LIFECYCLE_API}/runs`)
@ResourceRoutes({
  service: RunsService,
  order: ['start', 'list', 'get', 'metricHistory', 'update'],
  id: 'run_id',
  location: runLocation,
  present: presentRun,
  named: (runs, docs) => runs.named(docs),
  create: {
    name: 'start',
    body: StartRunDto,
    createdId: (result) => result.runId,
    docs: {
      summary: 'Start a run in an experiment (status running)',
      created: RunDto,
      notFound: 'No such experiment',
      unprocessable: 'The experiment is archived',
    },
  },
  list: { query: ListRunsQueryDto, docs: { summary: 'List runs (filters: experiment_name, status)', page: RunPageDto } },
  get: { summary: 'Get a run: params, tags, status, times and the latest point of each metric', ok: RunDto, notFound: 'No such run' },
  update: {
    body: UpdateRunDto,
    docs: {
      summary: 'Log metrics (≤ 1,000 points) and params (write-once), set tags, end the run',
      ok: RunDto,
      conflict: 'A parameter already has another value',
      unprocessable: 'Illegal status transition, or metrics after the run ended',
    },
  },
})
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Get(':run_id/metrics/:key')
  @PageRoute({ summary: 'History of one metric, by step then timestamp', page: MetricHistoryPageDto, notFound: 'No such run' })
  async metricHistory(@Param() params: MetricHistoryParamsDto, @Query() query: ListQueryDto): Promise<MetricHistoryPageDto> {
    return presentPage(await this.runs.metricHistory(params.run_id, params.key, query), presentPoint);
  }
}
