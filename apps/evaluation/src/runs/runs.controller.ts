import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { etagOf } from '@mlops/platform';
import { EVALUATION_API } from '../routes';
import { gateStatus } from './evaluate';
import { composeReport, renderReportHtml } from './report';
import { EvaluationRunDto, EvaluationRunPageDto, ListRunsQueryDto, QueueRunDto, ReportQueryDto, RunIdParamsDto } from './runs.dto';
import { EvaluationRunDocument } from './runs.projection';
import { RunsService } from './runs.service';

const locationOf = (runId: string) => `/${EVALUATION_API}/runs/${runId}`;

const present = (doc: EvaluationRunDocument): EvaluationRunDto => ({
  run_id: doc.run_id,
  status: doc.status,
  scenario_name: doc.scenario_name,
  scenario_version: doc.scenario_version,
  task_type: doc.task_type,
  model_name: doc.model_name,
  model_version: doc.model_version,
  case_count: doc.case_count,
  metrics: doc.metrics,
  gate: doc.gate && { ...doc.gate, status: gateStatus(doc.gate) },
  failure_reason: doc.failure_reason,
  queued_at: doc.queued_at,
  queued_by: doc.queued_by,
  started_at: doc.started_at,
  completed_at: doc.completed_at,
  failed_at: doc.failed_at,
  report_url: `${locationOf(doc.run_id)}/report`,
});

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
  async queue(@Body() dto: QueueRunDto, @Res({ passthrough: true }) res: Response) {
    const result = await this.runs.queue(dto);
    res.status(202).location(locationOf(result.runId)).setHeader('ETag', etagOf(result.doc?.version ?? result.version));
    return result.doc ? present(result.doc) : { status: 'accepted', run_id: result.runId, version: result.version, location: locationOf(result.runId) };
  }

  @Get()
  @ApiOperation({ summary: 'List evaluation runs (filters: scenario_name, status, model_name, model_version)' })
  @ApiOkResponse({ type: EvaluationRunPageDto })
  async list(@Query() query: ListRunsQueryDto): Promise<EvaluationRunPageDto> {
    const page = await this.runs.list(query);
    return { items: page.items.map(present), next_cursor: page.next_cursor };
  }

  @Get(':run_id')
  @ApiOperation({ summary: 'Get an evaluation run: status, metrics and the gate once completed, the reason once failed' })
  @ApiOkResponse({ type: EvaluationRunDto })
  @ApiNotFoundResponse({ description: 'No such run' })
  async get(@Param() params: RunIdParamsDto, @Res({ passthrough: true }) res: Response): Promise<EvaluationRunDto> {
    const doc = await this.runs.get(params.run_id);
    res.setHeader('ETag', etagOf(doc.version));
    return present(doc);
  }

  @Get(':run_id/report')
  @ApiOperation({
    summary: 'The report: every metric, each threshold and the gate, slices worst first, error analysis, explainability and compliance (model card, lineage)',
  })
  @ApiProduces('application/json', 'text/html')
  @ApiOkResponse({ description: '?format=json (default) or ?format=html' })
  @ApiNotFoundResponse({ description: 'No such run' })
  @ApiUnprocessableEntityResponse({ description: 'The run has not completed (or failed)' })
  async report(@Param() params: RunIdParamsDto, @Query() query: ReportQueryDto, @Res({ passthrough: true }) res: Response) {
    const context = await this.runs.report(params.run_id);
    const report = composeReport(context);
    res.setHeader('ETag', etagOf(context.run.version));
    if (query.format === 'html') {
      res.type('text/html; charset=utf-8');
      return renderReportHtml(report);
    }
    return report;
  }
}
