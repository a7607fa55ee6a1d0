import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { presentPage, withVersionTag } from '@mlops/platform';
import { EVALUATION_API } from '../routes';
import { composeReport, renderReportHtml } from './report';
import { EvaluationReportDto } from './report.dto';
import { EvaluationRunDto, EvaluationRunPageDto, ListRunsQueryDto, QueueRunDto, ReportQueryDto, RunIdParamsDto } from './runs.dto';
import { evaluationRunLocation, presentEvaluationRun } from './runs.presenter';
import { RunsService } from './runs.service';


@ApiTags('evaluation runs')
@Controller(`${EVALUATION_API}/runs`)
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Run a scenario against a model version’s outputs: 202 with the run (queued); a worker moves it to running, then completed or failed',
    description: 'Predictions must cover exactly the scenario’s case ids (422 otherwise) in the task’s shape (400 otherwise). The model version must be known from the lifecycle events (404).',
  })
  @ApiAcceptedResponse({ type: EvaluationRunDto, description: 'Location: the run; ETag: its stream version' })
  @ApiBadRequestResponse({ description: 'Invalid input or wrong prediction shapes (problem+json with errors[])' })
  @ApiNotFoundResponse({ description: 'No such scenario, scenario version or model version' })
  @ApiUnprocessableEntityResponse({ description: 'Predictions do not cover the scenario’s cases, the gate needs scores, or the dataset cannot be read' })
  async queue(@Body() dto: QueueRunDto) {
    const result = await this.runs.queue(dto);
    const location = evaluationRunLocation(result.runId);
    // Always 202 (the run itself is asynchronous): with the queued run once the read model shows it.
    const body = result.doc ? presentEvaluationRun(result.doc) : { status: 'accepted', run_id: result.runId, version: result.version, location };
    return withVersionTag(result.doc?.version ?? result.version, body, { location });
  }

  @Get()
  @ApiOperation({ summary: 'List evaluation runs (filters: scenario_name, status, model_name, model_version)' })
  @ApiOkResponse({ type: EvaluationRunPageDto })
  async list(@Query() query: ListRunsQueryDto): Promise<EvaluationRunPageDto> {
    return presentPage(await this.runs.list(query), presentEvaluationRun);
  }

  @Get(':run_id')
  @ApiOperation({ summary: 'Get an evaluation run: status, metrics and the gate once completed, the reason once failed' })
  @ApiOkResponse({ type: EvaluationRunDto })
  @ApiNotFoundResponse({ description: 'No such run' })
  async get(@Param() params: RunIdParamsDto) {
    const doc = await this.runs.get(params.run_id);
    return withVersionTag(doc.version, presentEvaluationRun(doc));
  }

  @Get(':run_id/report')
  @ApiOperation({
    summary: 'The report: every metric, each threshold and the gate, slices worst first, error analysis, explainability and compliance (model card, lineage)',
  })
  @ApiExtraModels(EvaluationReportDto)
  @ApiOkResponse({
    description: '?format=json (default): the report; ?format=html: a readable page of it',
    content: { 'application/json': { schema: { $ref: getSchemaPath(EvaluationReportDto) } }, 'text/html': { schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse({ description: 'No such run' })
  @ApiUnprocessableEntityResponse({ description: 'The run has not completed (or failed)' })
  async report(@Param() params: RunIdParamsDto, @Query() query: ReportQueryDto) {
    const context = await this.runs.report(params.run_id);
    const report = composeReport(context);
    if (query.format === 'html') return withVersionTag(context.run.version, renderReportHtml(report), { contentType: 'text/html; charset=utf-8' });
    return withVersionTag(context.run.version, report);
  }
}
