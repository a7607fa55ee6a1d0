import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CommandRoute, createdReply, PageRoute, presentPage, ReadRoute, withVersionTag } from '@mlops/platform';
import { LIFECYCLE_API } from '../routes';
import { DriftEventDto, DriftEventIdParamsDto, DriftEventPageDto, ListDriftEventsQueryDto, RecordDriftEventDto } from './drift-events.dto';
import { driftEventLocation, presentDriftEvent } from './drift-events.presenter';
import { DriftEventsService } from './drift-events.service';

@ApiTags('drift-events')
@Controller(`${LIFECYCLE_API}/drift-events`)
export class DriftEventsController {
  constructor(private readonly drift: DriftEventsService) {}

  @Post()
  @CommandRoute({
    summary: 'Record a drift event',
    description: 'A critical drift also emits mlops.lifecycle.deployment.drift_alerted.v1 on the stream of every live production deployment of that model version (at least once, by a reactor, even after a crash). The header X-Alerted-Deployments lists those the deployments read model shows alerted when the answer is sent (the answer waits, bounded, for them).',
    created: DriftEventDto,
    accepted: true,
    badRequest: 'Invalid input (problem+json)',
    notFound: 'No such model version',
  })
  async record(@Body() dto: RecordDriftEventDto) {
    const { driftEventId, alerted, ...result } = await this.drift.record(dto);
    const headers: Record<string, string> = alerted.length ? { 'X-Alerted-Deployments': alerted.join(',') } : {};
    return createdReply(await this.drift.namedResult(result), driftEventLocation(driftEventId), presentDriftEvent, headers);
  }

  @Get()
  @PageRoute({ summary: 'List drift events in recording order (filters: model_name, severity, detected_at from / to)', page: DriftEventPageDto })
  async list(@Query() query: ListDriftEventsQueryDto): Promise<DriftEventPageDto> {
    const page = await this.drift.list(query);
    return presentPage({ ...page, items: await this.drift.named(page.items) }, presentDriftEvent);
  }

  @Get(':id')
  @ReadRoute({ summary: 'Get a drift event', ok: DriftEventDto, notFound: 'No such drift event' })
  async get(@Param() params: DriftEventIdParamsDto) {
    const [doc] = await this.drift.named([await this.drift.get(params.id)]);
    return withVersionTag(doc.version, presentDriftEvent(doc));
  }
}
