import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
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
import { AcceptedDto, createdReply, IfMatch, ListQueryDto, presentPage, updatedReply, withVersionTag } from '@mlops/platform';
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
  @ApiOperation({ summary: 'Start a run in an experiment (status running)' })
  @ApiCreatedResponse({ type: RunDto })
  @ApiAcceptedResponse({ type: AcceptedDto, description: 'Stored; the read model did not catch up within the bound' })
  @ApiBadRequestResponse({ description: 'Invalid input (problem+json)' })
  @ApiNotFoundResponse({ description: 'No such experiment' })
  @ApiUnprocessableEntityResponse({ description: 'The experiment is archived' })
  async start(@Body() dto: StartRunDto) {
    const { runId, ...result } = await this.runs.start(dto);
    return createdReply(result, runLocation(runId), presentRun);
  }

  @Get()
  @ApiOperation({ summary: 'List runs (filters: experiment_name, status)' })
  @ApiOkResponse({ type: RunPageDto })
  async list(@Query() query: ListRunsQueryDto): Promise<RunPageDto> {
    return presentPage(await this.runs.list(query), presentRun);
  }

  @Get(':run_id')
  @ApiOperation({ summary: 'Get a run: params, tags, status, times and the latest point of each metric' })
  @ApiOkResponse({ type: RunDto })
  @ApiNotFoundResponse({ description: 'No such run' })
  async get(@Param('run_id') runId: string) {
    const doc = await this.runs.get(runId);
    return withVersionTag(doc.version, presentRun(doc));
  }

  @Get(':run_id/metrics/:key')
  @ApiOperation({ summary: 'History of one metric, by step then timestamp' })
  @ApiOkResponse({ type: MetricHistoryPageDto })
  @ApiNotFoundResponse({ description: 'No such run' })
  async metricHistory(@Param() params: MetricHistoryParamsDto, @Query() query: ListQueryDto): Promise<MetricHistoryPageDto> {
    return presentPage(await this.runs.metricHistory(params.run_id, params.key, query), presentPoint);
  }

  @Patch(':run_id')
  @ApiOperation({ summary: 'Log metrics (≤ 1,000 points) and params (write-once), set tags, end the run' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag ("<version>") the update applies to' })
  @ApiOkResponse({ type: RunDto })
  @ApiNotFoundResponse({ description: 'No such run' })
  @ApiConflictResponse({ description: 'A parameter already has another value' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version' })
  @ApiUnprocessableEntityResponse({ description: 'Illegal status transition, or metrics after the run ended' })
  async update(@Param('run_id') runId: string, @Body() dto: UpdateRunDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.runs.update(runId, dto, ifMatch), runLocation(runId), presentRun);
  }
}
