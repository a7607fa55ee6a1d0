import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { sendCommandResult } from '@mlops/platform';
import { PROMPT_GOVERNANCE_API } from '../routes';
import { AcceptedDto, TemplateVersionParamsDto } from '../templates/templates.dto';
import { parseUsageBody, UsageBatchDto, UsageLoggedDto, UsageLogItemDto, UsagePageDto, UsageQueryDto, UsageRecordDto } from './usage.dto';
import { UsageBatchDocument, UsageRecordDocument } from './usage.projection';
import { UsageService } from './usage.service';

const presentBatch = (doc: UsageBatchDocument): UsageLoggedDto => ({
  template_id: doc.template_id,
  version: doc.version_number,
  batch_id: doc.batch_id,
  count: doc.count,
  error_count: doc.error_count,
  input_tokens: doc.input_tokens,
  output_tokens: doc.output_tokens,
  cost: doc.cost,
  logged_at: doc.logged_at,
});

const presentRecord = ({ batch_id, caller, environment, input_tokens, output_tokens, latency_ms, cost, outcome, timestamp }: UsageRecordDocument): UsageLogItemDto => ({
  batch_id,
  caller,
  environment,
  input_tokens,
  output_tokens,
  latency_ms,
  cost,
  outcome,
  timestamp,
});

@ApiTags('usage')
@ApiExtraModels(UsageRecordDto, UsageBatchDto)
@Controller(`${PROMPT_GOVERNANCE_API}/templates`)
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Post(':id/:version/usage')
  @ApiOperation({ summary: 'Log usage of a version: one record or a batch of up to 1,000; production usage needs an approved version' })
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(UsageRecordDto) }, { $ref: getSchemaPath(UsageBatchDto) }] } })
  @ApiCreatedResponse({ type: UsageLoggedDto })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @ApiBadRequestResponse({ description: 'Invalid records (each field listed in errors[]), or more than 1,000' })
  @ApiNotFoundResponse({ description: 'No such template or version' })
  @ApiUnprocessableEntityResponse({ description: 'Records in production for a version that is not approved' })
  async log(@Param() params: TemplateVersionParamsDto, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const records = await parseUsageBody(body);
    const result = await this.usage.log(params.id, params.version, records);
    const location = `/${PROMPT_GOVERNANCE_API}/templates/${encodeURIComponent(params.id)}/${params.version}/usage`;
    return sendCommandResult(res, result, { location, created: true }, presentBatch);
  }

  @Get(':id/:version/usage')
  @ApiOperation({
    summary: 'Usage log of a version (by time, paginated; filters environment, caller, outcome, from, to) and its aggregates',
    description: 'Aggregates over every matching record: count, error rate, nearest-rank p50/p95 latency, tokens and cost, overall and per UTC day.',
  })
  @ApiOkResponse({ type: UsagePageDto })
  @ApiNotFoundResponse({ description: 'No such template or version' })
  async read(@Param() params: TemplateVersionParamsDto, @Query() query: UsageQueryDto): Promise<UsagePageDto> {
    const page = await this.usage.read(params.id, params.version, query);
    return { template_id: params.id, version: params.version, items: page.items.map(presentRecord), next_cursor: page.next_cursor, aggregates: page.aggregates };
  }
}
