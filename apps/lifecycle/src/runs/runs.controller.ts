import { Body, Controller, Get, Headers, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { etagOf, ListQueryDto, parseIfMatch, sendCommandResult } from '@mlops/platform';
import { LIFECYCLE_API } from '../routes';
import { AcceptedDto } from '../experiments/experiments.dto';
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
import { HistoryPoint, RunDocument } from './runs.projection';
import { RunsService } from './runs.service';

// metric_buckets is the projection's own bookkeeping.
const present = ({ _id, metric_buckets: _buckets, ...run }: RunDocument): RunDto => run;
const presentPoint = ({ step, value, timestamp }: HistoryPoint) => ({ step, value, timestamp });
const locationOf = (runId: string) => `/${LIFECYCLE_API}/runs/${encodeURIComponent(runId)}`;

@ApiTags('runs')
// UpdateRunDto's metrics refer to it from a oneOf.
@ApiExtraModels(MetricPointDto)
@Controller(`${LIFECYCLE_API}/runs`)
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @ApiOperation({ summary: 'Start a run in an experiment (status running)' })
  @ApiCreatedResponse({ type: RunDto })
  @ApiAcceptedResponse({ type: AcceptedDto, description: 'Stored; the read model did not catch up within the bound' })
  @ApiBadRequestResponse({ description: 'Invalid input (problem+json)' })
  @ApiNotFoundResponse({ description: 'No such experiment' })
  @ApiUnprocessableEntityResponse({ description: 'The experiment is archived' })
  async start(@Body() dto: StartRunDto, @Res({ passthrough: true }) res: Response) {
    const { runId, ...result } = await this.runs.start(dto);
    return sendCommandResult(res, result, { location: locationOf(runId), created: true }, present);
  }

  @Get()
  @ApiOperation({ summary: 'List runs (filters: experiment_name, status)' })
  @ApiOkResponse({ type: RunPageDto })
  async list(@Query() query: ListRunsQueryDto): Promise<RunPageDto> {
    const page = await this.runs.list(query);
    return { items: page.items.map(present), next_cursor: page.next_cursor };
  }

  @Get(':run_id')
  @ApiOperation({ summary: 'Get a run: params, tags, status, times and the latest point of each metric' })
  @ApiOkResponse({ type: RunDto })
  @ApiNotFoundResponse({ description: 'No such run' })
  async get(@Param('run_id') runId: string, @Res({ passthrough: true }) res: Response): Promise<RunDto> {
    const doc = await this.runs.get(runId);
    res.setHeader('ETag', etagOf(doc.version));
    return present(doc);
  }

  @Get(':run_id/metrics/:key')
  @ApiOperation({ summary: 'History of one metric, by step then timestamp' })
  @ApiOkResponse({ type: MetricHistoryPageDto })
  @ApiNotFoundResponse({ description: 'No such run' })
  async metricHistory(@Param() params: MetricHistoryParamsDto, @Query() query: ListQueryDto): Promise<MetricHistoryPageDto> {
    const page = await this.runs.metricHistory(params.run_id, params.key, query);
    return { items: page.items.map(presentPoint), next_cursor: page.next_cursor };
  }

  @Patch(':run_id')
  @ApiOperation({ summary: 'Log metrics (≤ 1,000 points) and params (write-once), set tags, end the run' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag ("<version>") the update applies to' })
  @ApiOkResponse({ type: RunDto })
  @ApiNotFoundResponse({ description: 'No such run' })
  @ApiConflictResponse({ description: 'A parameter already has another value' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version' })
  @ApiUnprocessableEntityResponse({ description: 'Illegal status transition, or metrics after the run ended' })
  async update(
    @Param('run_id') runId: string,
    @Body() dto: UpdateRunDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.runs.update(runId, dto, parseIfMatch(ifMatch));
    return sendCommandResult(res, result, { location: locationOf(runId), created: false }, present);
  }
}
