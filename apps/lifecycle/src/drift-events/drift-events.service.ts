import { Injectable } from '@nestjs/common';
import { EventSourcing, findPage, notFound } from '@mlops/event-sourcing';
import { commandMetadata, CommandResult, decodeCursor, encodeCursor, Page, wantsReadYourWrites } from '@mlops/platform';
import { DeploymentsService } from '../deployments/deployments.service';
import { findVersion, modelDecider, modelStreamId } from '../models/model.decider';
import { driftDecider, driftStreamId, timeOrderedId } from './drift-event.decider';
import { ListDriftEventsQueryDto, RecordDriftEventDto } from './drift-events.dto';
import { DriftEventDocument, driftEventsProjection } from './drift-events.projection';

const utc = (time: string) => new Date(time).toISOString();

@Injectable()
export class DriftEventsService {
  constructor(
    private readonly eventSourcing: EventSourcing,
    private readonly deployments: DeploymentsService,
  ) {}

  private get readModel() {
    return this.eventSourcing.runner<DriftEventDocument>(driftEventsProjection.name).readModel;
  }

  async record(dto: RecordDriftEventDto): Promise<CommandResult<DriftEventDocument> & { driftEventId: string; alerted: string[] }> {
    const metadata = commandMetadata();
    const driftEventId = timeOrderedId(metadata.now);
    const model = await this.eventSourcing.eventStore.aggregate(modelStreamId(dto.model_name), modelDecider);
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
    const outcome = await this.eventSourcing.commands.handle(
      driftDecider,
      driftStreamId(driftEventId),
      { type: 'RecordDrift', data: { ...drift, model_version_exists: findVersion(model.state, dto.model_version) !== undefined } },
      metadata,
    );
    const doc = wantsReadYourWrites()
      ? await this.eventSourcing.waitForProjection<DriftEventDocument>(driftEventsProjection.name, outcome.streamId, outcome.version)
      : null;
    // The alerts are the drift-alert reactor's (at-least-once, so a crash after this commit still
    // pages); `alerted` is what the deployments read model shows alerted when the answer goes.
    const alerted = drift.severity === 'critical' ? await this.deployments.driftAlerts(drift, wantsReadYourWrites()) : [];
    return { version: outcome.version, doc, driftEventId, alerted };
  }

  async get(id: string): Promise<DriftEventDocument> {
    const doc = await this.readModel.findOne({ _id: driftStreamId(id) });
    if (!doc) throw notFound(`Drift event ${id} does not exist`);
    return doc;
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
    const { docs, lastId } = await findPage(this.readModel, filter, { limit: query.limit, after: decodeCursor(query.cursor) });
    return { items: docs, next_cursor: lastId ? encodeCursor(lastId) : null };
  }
}
