import { Injectable } from '@nestjs/common';
import { CommandResult, EventSourcing, Page } from '@mlops/event-sourcing';
import { commandMetadata, wantsReadYourWrites } from '@mlops/platform';
import { DeploymentsService } from '../deployments/deployments.service';
import { modelAggregate } from '../models/model.aggregate';
import { findVersion } from '../models/model.decider';
import { driftEventAggregate } from './drift-event.aggregate';
import { timeOrderedId } from './drift-event.decider';
import { ListDriftEventsQueryDto, RecordDriftEventDto } from './drift-events.dto';
import { DriftEventDocument } from './drift-events.projection';

const utc = (time: string) => new Date(time).toISOString();

@Injectable()
export class DriftEventsService {
  private readonly driftEvents;
  private readonly models;

  constructor(
    eventSourcing: EventSourcing,
    private readonly deployments: DeploymentsService,
  ) {
    this.driftEvents = eventSourcing.aggregate(driftEventAggregate);
    this.models = eventSourcing.aggregate(modelAggregate);
  }

  async record(dto: RecordDriftEventDto): Promise<CommandResult<DriftEventDocument> & { driftEventId: string; alerted: string[] }> {
    const metadata = commandMetadata();
    const driftEventId = timeOrderedId(metadata.now);
    const model = await this.models.load(dto.model_name);
    const drift = {
      drift_event_id: driftEventId,
      model_name: dto.model_name,
      model_version: dto.model_version,
      feature: dto.feature,
      metric: dto.metric,
      value: dto.value,
      threshold: dto.threshold,
      severity: dto.severity,
      detected_at: dto.detected_at ? utc(dto.detected_at) : metadata.now.toISOString(),
    };
    const { version, doc } = await this.driftEvents.execute(
      driftEventId,
      { type: 'RecordDrift', data: { ...drift, model_version_exists: findVersion(model.state, dto.model_version) !== undefined } },
      { metadata },
    );
    // The alerts are the drift-alert reactor's (at-least-once, so a crash after this commit still
    // pages); `alerted` is what the deployments read model shows alerted when the answer goes.
    const alerted = drift.severity === 'critical' ? await this.deployments.driftAlerts(drift, wantsReadYourWrites()) : [];
    return { version, doc, driftEventId, alerted };
  }

  get(id: string): Promise<DriftEventDocument> {
    return this.driftEvents.get(id);
  }

  async list(query: ListDriftEventsQueryDto): Promise<Page<DriftEventDocument>> {
    const filter: Record<string, unknown> = {};
    if (query.model_name) filter.model_name = query.model_name;
    if (query.severity) filter.severity = query.severity;
    // Stored times are fixed-width UTC strings, so the range compares as strings.
    const range: Record<string, string> = {};
    if (query.from) range.$gte = utc(query.from);
    if (query.to) range.$lt = utc(query.to);
    if (Object.keys(range).length) filter.detected_at = range;
    return this.driftEvents.page(filter, query);
  }
}
