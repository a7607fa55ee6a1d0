import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CommandRoute, ReadRoute, ResourceRoutes, withVersionTag } from '@mlops/platform';
import { EVALUATION_API } from '../routes';
import { composeReport, renderReportHtml } from './report';
import { EvaluationReportDto } from './report.dto';
import { EvaluationRunDto, EvaluationRunPageDto, ListRunsQueryDto, QueueRunDto, ReportQueryDto, RunIdParamsDto } from './runs.dto';
import { evaluationRunLocation, presentEvaluationRun } from './runs.presenter';
import { RunsService } from './runs.service';

@ApiTags('evaluation runs')
@Controller(`${EVALUATION_API}/runs`)
@ResourceRoutes({
  service: RunsService,
  order: ['queue', 'list', 'get', 'report'],
  id: 'run_id',
  params: RunIdParamsDto,
  present: presentEvaluationRun,
  list: { query: ListRunsQueryDto, docs: { summary: 'List evaluation runs (filters: scenario_name, status, model_name, model_version)', page: EvaluationRunPageDto } },
  get: {
    summary: 'Get an evaluation run: status, metrics and the gate once completed, the reason once failed',
    ok: EvaluationRunDto,
    notFound: 'No such run',
  },
})
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @HttpCode(202)
  @CommandRoute({
    summary: 'Run a scenario against a model version’s outputs: 202 with the run (queued); a worker moves it to running, then completed or failed',
    description: 'Predictions must cover exactly the scenario’s case ids (422 otherwise) in the task’s shape (400 otherwise). The model version must be known from the lifecycle events (404).',
    accepted: { type: EvaluationRunDto, description: 'Location: the run; ETag: its stream version' },
    badRequest: 'Invalid input or wrong prediction shapes (problem+json with errors[])',
    notFound: 'No such scenario, scenario version or model version',
    unprocessable: 'Predictions do not cover the scenario’s cases, the gate needs scores, or the dataset cannot be read',
  })
  async queue(@Body() dto: QueueRunDto) {
    const result = await this.runs.queue(dto);
    const location = evaluationRunLocation(result.runId);
    // Always 202 (the run itself is asynchronous): with the queued run once the read model shows it.
    const body = result.doc ? presentEvaluationRun(result.doc) : { status: 'accepted', run_id: result.runId, version: result.version, location };
    return withVersionTag(result.doc?.version ?? result.version, body, { location });
  }

  @Get(':run_id/report')
  @ReadRoute({
    summary: 'The report: every metric, each threshold and the gate, slices worst first, error analysis, explainability and compliance (model card, lineage)',
    extraModels: [EvaluationReportDto],
    ok: {
      description: '?format=json (default): the report; ?format=html: a readable page of it',
      content: { 'application/json': { schema: { $ref: getSchemaPath(EvaluationReportDto) } }, 'text/html': { schema: { type: 'string' } } },
    },
    notFound: 'No such run',
    unprocessable: 'The run has not completed (or failed)',
  })
  async report(@Param() params: RunIdParamsDto, @Query() query: ReportQueryDto) {
    const context = await this.runs.report(params.run_id);
    const report = composeReport(context);
    if (query.format === 'html') return withVersionTag(context.run.version, renderReportHtml(report), { contentType: 'text/html; charset=utf-8' });
    return withVersionTag(context.run.version, report);
  }
}
