import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ResourceRoutes } from '@mlops/platform';
import { LIFECYCLE_API } from '../routes';
import { DriftEventDto, DriftEventIdParamsDto, DriftEventPageDto, ListDriftEventsQueryDto, RecordDriftEventDto } from './drift-events.dto';
import { driftEventLocation, presentDriftEvent } from './drift-events.presenter';
import { DriftEventsService } from './drift-events.service';

@ApiTags('drift-events')
@Controller(`${LIFECYCLE_API}/drift-events`)
@ResourceRoutes({
  service: DriftEventsService,
  id: 'id',
  params: DriftEventIdParamsDto,
  location: driftEventLocation,
  present: presentDriftEvent,
  named: (drift, docs) => drift.named(docs),
  create: {
    name: 'record',
    body: RecordDriftEventDto,
    createdId: (result) => result.driftEventId,
    headers: ({ alerted }): Record<string, string> => (alerted.length ? { 'X-Alerted-Deployments': alerted.join(',') } : {}),
    docs: {
      summary: 'Record a drift event',
      description: 'A critical drift also emits mlops.lifecycle.deployment.drift_alerted.v1 on the stream of every live production deployment of that model version (at least once, by a reactor, even after a crash). The header X-Alerted-Deployments lists those the deployments read model shows alerted when the answer is sent (the answer waits, bounded, for them).',
      created: DriftEventDto,
      notFound: 'No such model version',
    },
  },
  list: { query: ListDriftEventsQueryDto, docs: { summary: 'List drift events in recording order (filters: model_name, severity, detected_at from / to)', page: DriftEventPageDto } },
  get: { summary: 'Get a drift event', ok: DriftEventDto, notFound: 'No such drift event' },
})
export class DriftEventsController {}
