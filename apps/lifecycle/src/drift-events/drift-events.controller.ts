import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { etagOf, sendCommandResult } from '@mlops/platform';
import { LIFECYCLE_API } from '../routes';
import { AcceptedDto } from '../experiments/experiments.dto';
import { DriftEventDto, DriftEventIdParamsDto, DriftEventPageDto, ListDriftEventsQueryDto, RecordDriftEventDto } from './drift-events.dto';
import { DriftEventDocument } from './drift-events.projection';
import { DriftEventsService } from './drift-events.service';

const present = ({ _id, ...drift }: DriftEventDocument): DriftEventDto => drift;
const locationOf = (id: string) => `/${LIFECYCLE_API}/drift-events/${id}`;

@ApiTags('drift-events')
@Controller(`${LIFECYCLE_API}/drift-events`)
export class DriftEventsController {
  constructor(private readonly drift: DriftEventsService) {}

  @Post()
  @ApiOperation({
    summary: 'Record a drift event',
    description:
      'A critical drift also emits mlops.lifecycle.deployment.drift_alerted.v1 on the stream of every live production deployment of that model version (at least once, by a reactor, even after a crash). The header X-Alerted-Deployments lists those the deployments read model shows alerted when the answer is sent (the answer waits, bounded, for them).',
  })
  @ApiCreatedResponse({ type: DriftEventDto })
  @ApiAcceptedResponse({ type: AcceptedDto, description: 'Stored; the read model did not catch up within the bound' })
  @ApiBadRequestResponse({ description: 'Invalid input (problem+json)' })
  @ApiNotFoundResponse({ description: 'No such model version' })
  async record(@Body() dto: RecordDriftEventDto, @Res({ passthrough: true }) res: Response) {
    const { driftEventId, alerted, ...result } = await this.drift.record(dto);
    if (alerted.length) res.setHeader('X-Alerted-Deployments', alerted.join(','));
    return sendCommandResult(res, result, { location: locationOf(driftEventId), created: true }, present);
  }

  @Get()
  @ApiOperation({ summary: 'List drift events in recording order (filters: model_name, severity, detected_at from / to)' })
  @ApiOkResponse({ type: DriftEventPageDto })
  async list(@Query() query: ListDriftEventsQueryDto): Promise<DriftEventPageDto> {
    const page = await this.drift.list(query);
    return { items: page.items.map(present), next_cursor: page.next_cursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a drift event' })
  @ApiOkResponse({ type: DriftEventDto })
  @ApiNotFoundResponse({ description: 'No such drift event' })
  async get(@Param() params: DriftEventIdParamsDto, @Res({ passthrough: true }) res: Response): Promise<DriftEventDto> {
    const doc = await this.drift.get(params.id);
    res.setHeader('ETag', etagOf(doc.version));
    return present(doc);
  }
}
