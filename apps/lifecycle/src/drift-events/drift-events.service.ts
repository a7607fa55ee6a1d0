import { Injectable } from '@nestjs/common';
import { BoundAggregate, CommandResult, filterFrom, InjectAggregate, Page } from '@mlops/event-sourcing';
import { commandMetadata, wantsReadYourWrites } from '@mlops/platform';
import { DeploymentsService } from '../deployments/deployments.service';
import { modelAggregate } from '../models/model.aggregate';
import { findVersion, modelKeyOf } from '../models/model.decider';
import { findModelByName } from '../models/models.projection';
import { CurrentNames } from '../experiments/current-names';
import { driftEventAggregate } from './drift-event.aggregate';
import { timeOrderedId } from './drift-event.decider';
import { ListDriftEventsQueryDto, RecordDriftEventDto } from './drift-events.dto';
import { DriftEventDocument } from './drift-events.projection';

const utc = (time: string) => new Date(time).toISOString();

@Injectable()
export class DriftEventsService {
  constructor(
    @InjectAggregate(driftEventAggregate) private readonly driftEvents: BoundAggregate<typeof driftEventAggregate>,
    @InjectAggregate(modelAggregate) private readonly models: BoundAggregate<typeof modelAggregate>,
    private readonly deployments: DeploymentsService,
  ) {}

  private readonly modelNames = new CurrentNames({ collection: () => this.modelsReadModel as never, prefix: 'model:', field: 'model_name' });

  async record(dto: RecordDriftEventDto): Promise<CommandResult<DriftEventDocument> & { driftEventId: string; alerted: string[] }> {
    const metadata = commandMetadata();
    const driftEventId = timeOrderedId(metadata.now);
    // The model called that now (drift events refer to its key); the write side says whether the version exists.
    const key = await this.liveModelKey(dto.model_name);
    const model = key === null ? null : await this.models.load(key);
    const exists = model !== null && findVersion(model.state, dto.model_version) !== undefined;
    const drift = {
      drift_event_id: driftEventId,
      // A refusal names the model as it was asked for.
      model_name: exists ? key! : dto.model_name,
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
      { type: 'RecordDrift', data: { ...drift, model_version_exists: exists } },
      { metadata },
    );
    // The alerts are the drift-alert reactor's (at-least-once, so a crash after this commit still
    // pages); `alerted` is what the deployments read model shows alerted when the answer goes.
    const alerted = drift.severity === 'critical' ? await this.deployments.driftAlerts(drift, wantsReadYourWrites()) : [];
    return { version, doc, driftEventId, alerted };
  }

  /** Drift events as our API shows them: `model_name` is what the model is called now (they refer to its key). */
  named(docs: DriftEventDocument[]): Promise<DriftEventDocument[]> {
    return this.modelNames.of(docs, 'model_name');
  }

  /** A command's result as our API answers it (`named`). */
  async namedResult<Result extends CommandResult<DriftEventDocument>>(result: Result): Promise<Result> {
    return result.doc ? { ...result, doc: (await this.named([result.doc]))[0] } : result;
  }

  private get modelsReadModel() {
    return this.models.readModel.collection;
  }

  /** The key of the live model called `name` now (an old name, used again, means the new model). */
  private async liveModelKey(name: string): Promise<string | null> {
    const doc = await findModelByName(this.modelsReadModel, name);
    return doc ? modelKeyOf(doc) : null;
  }

  /**
   * The keys whose drift events list under `name`: the live model called that now, else the
   * deleted ones last called that. A key no model is called any more names nothing.
   */
  private async modelKeysCalled(name: string): Promise<string[]> {
    const live = await this.liveModelKey(name);
    if (live !== null) return [live];
    return (await this.modelsReadModel.find({ model_name: name }, { projection: { _id: 1 } }).toArray()).map(modelKeyOf);
  }

  get(id: string): Promise<DriftEventDocument> {
    return this.driftEvents.get(id);
  }

  async list(query: ListDriftEventsQueryDto): Promise<Page<DriftEventDocument>> {
    const filter = filterFrom(query, { severity: 'severity' });
    if (query.model_name) filter.model_name = { $in: await this.modelKeysCalled(query.model_name) };
    // Stored times are fixed-width UTC strings, so the range compares as strings.
    const range: Record<string, string> = {};
    if (query.from) range.$gte = utc(query.from);
    if (query.to) range.$lt = utc(query.to);
    if (Object.keys(range).length) filter.detected_at = range;
    return this.driftEvents.page(filter, query);
  }
}
