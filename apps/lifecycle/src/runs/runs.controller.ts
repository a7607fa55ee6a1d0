import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiExtraModels, ApiTags } from '@nestjs/swagger';
import { CommandRoute, createdReply, IfMatch, ListQueryDto, PageRoute, presentPage, ReadRoute, updatedReply, withVersionTag } from '@mlops/platform';
import { LIFECYCLE_API } from '../routes';
import {
  ListRunsQueryDto,
  MetricHistoryPageDto,
  MetricPointDto,
  MetricHistoryParamsDto,
  RunDto,
  RunPageDto,
  StartRunDto,
  UpdateRunDto,
} from './runs.dto';
import { presentPoint, presentRun, runLocation } from './runs.presenter';
import { RunsService } from './runs.service';

@ApiTags('runs')
// UpdateRunDto's metrics refer to it from a oneOf.
@ApiExtraModels(MetricPointDto)
@Controller(`${LIFECYCLE_API}/runs`)
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @CommandRoute({
    summary: 'Start a run in an experiment (status running)',
    created: RunDto,
    accepted: true,
    badRequest: 'Invalid input (problem+json)',
    notFound: 'No such experiment',
    unprocessable: 'The experiment is archived',
  })
  async start(@Body() dto: StartRunDto) {
    const { runId, ...result } = await this.runs.start(dto);
    return createdReply({ ...result, doc: await this.runs.namedOne(result.doc) }, runLocation(runId), presentRun);
  }

  @Get()
  @PageRoute({ summary: 'List runs (filters: experiment_name, status)', page: RunPageDto })
  async list(@Query() query: ListRunsQueryDto): Promise<RunPageDto> {
    const page = await this.runs.list(query);
    return presentPage({ ...page, items: await this.runs.named(page.items) }, presentRun);
  }

  @Get(':run_id')
  @ReadRoute({ summary: 'Get a run: params, tags, status, times and the latest point of each metric', ok: RunDto, notFound: 'No such run' })
  async get(@Param('run_id') runId: string) {
    const doc = await this.runs.namedOne(await this.runs.get(runId));
    return withVersionTag(doc.version, presentRun(doc));
  }

  @Get(':run_id/metrics/:key')
  @PageRoute({ summary: 'History of one metric, by step then timestamp', page: MetricHistoryPageDto, notFound: 'No such run' })
  async metricHistory(@Param() params: MetricHistoryParamsDto, @Query() query: ListQueryDto): Promise<MetricHistoryPageDto> {
    return presentPage(await this.runs.metricHistory(params.run_id, params.key, query), presentPoint);
  }

  @Patch(':run_id')
  @CommandRoute({
    summary: 'Log metrics (≤ 1,000 points) and params (write-once), set tags, end the run',
    ifMatch: 'ETag ("<version>") the update applies to',
    ok: RunDto,
    notFound: 'No such run',
    conflict: 'A parameter already has another value',
    preconditionFailed: true,
    unprocessable: 'Illegal status transition, or metrics after the run ended',
  })
  async update(@Param('run_id') runId: string, @Body() dto: UpdateRunDto, @IfMatch() ifMatch?: number) {
    const result = await this.runs.update(runId, dto, ifMatch);
    return updatedReply({ ...result, doc: await this.runs.namedOne(result.doc) }, runLocation(runId), presentRun);
  }
}
