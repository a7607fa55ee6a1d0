import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiExtraModels, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { AcceptedDto, CommandRoute, createdReply, PageRoute } from '@mlops/platform';
import { PROMPT_GOVERNANCE_API } from '../routes';
import { TemplateVersionParamsDto } from '../templates/template-requests.dto';
import { parseUsageBody, UsageBatchDto, UsageLoggedDto, UsagePageDto, UsageQueryDto, UsageRecordDto } from './usage.dto';
import { presentBatch, presentRecord, usageLocation } from './usage.presenter';
import { UsageService } from './usage.service';

@ApiTags('usage')
@ApiExtraModels(UsageRecordDto, UsageBatchDto)
@Controller(`${PROMPT_GOVERNANCE_API}/templates`)
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Post(':id/:version/usage')
  @CommandRoute({
    summary: 'Log usage of a version: one record or a batch of up to 1,000; production usage needs an approved version',
    body: { schema: { oneOf: [{ $ref: getSchemaPath(UsageRecordDto) }, { $ref: getSchemaPath(UsageBatchDto) }] } },
    created: UsageLoggedDto,
    accepted: AcceptedDto,
    badRequest: 'Invalid records (each field listed in errors[]), or more than 1,000',
    notFound: 'No such template or version',
    unprocessable: 'Records in production for a version that is not approved',
  })
  async log(@Param() params: TemplateVersionParamsDto, @Body() body: unknown) {
    const records = await parseUsageBody(body);
    return createdReply(await this.usage.log(params.id, params.version, records), usageLocation(params.id, params.version), presentBatch);
  }

  @Get(':id/:version/usage')
  @PageRoute({
    summary: 'Usage log of a version (by time, paginated; filters environment, caller, outcome, from, to) and its aggregates',
    description: 'Aggregates over every matching record: count, error rate, nearest-rank p50/p95 latency, tokens and cost, overall and per UTC day.',
    page: UsagePageDto,
    notFound: 'No such template or version',
  })
  async read(@Param() params: TemplateVersionParamsDto, @Query() query: UsageQueryDto): Promise<UsagePageDto> {
    const page = await this.usage.read(params.id, params.version, query);
    return { template_id: params.id, version: params.version, items: page.items.map(presentRecord), next_cursor: page.next_cursor, aggregates: page.aggregates };
  }
}
