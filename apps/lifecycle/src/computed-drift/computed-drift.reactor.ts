import { Injectable, Logger } from '@nestjs/common';
import { CloudEvent, DATASET_DRIFT_COMPUTED, DatasetDriftComputedData, Topics } from '@mlops/events';
import { BoundAggregate, DomainError, InjectAggregate, ReactionHandler, ReactorRegistration } from '@mlops/event-sourcing';
import { deploymentAggregate } from '../deployments/deployment.aggregate';
import { LIVE_STATUSES } from '../deployments/deployment.decider';
import { driftEventAggregate } from '../drift-events/drift-event.aggregate';
import { modelAggregate } from '../models/model.aggregate';
import { findVersion } from '../models/model.decider';
import { MODEL_VERSIONS_COLLECTION, ModelVersionDocument } from '../models/models.projection';
import { computedDriftEventId, DRIFT_METRIC_OF, severityOf } from './drift-severity';

/** The drift-event schema's bound on `feature`. */
const FEATURE_MAX = 250;

/**
 * Drift computed in the Feature Store reaches the models: a report of dataset D against
 * reference R reaches every model version registered with `reference_dataset` R that serves a
 * live deployment; each drifted column becomes a drift event on that version (metric, score,
 * threshold, severity from how far past the threshold it is). Critical ones page the live
 * production deployments through the drift-alert reactor, as posted drift events do. Ids are
 * derived from the report, so a redelivered report conflicts instead of recording twice.
 */
@Injectable()
export class ComputedDriftReaction implements ReactionHandler {
  private readonly logger = new Logger('ComputedDriftReaction');

  constructor(
    @InjectAggregate(modelAggregate) private readonly models: BoundAggregate<typeof modelAggregate>,
    @InjectAggregate(deploymentAggregate) private readonly deployments: BoundAggregate<typeof deploymentAggregate>,
    @InjectAggregate(driftEventAggregate) private readonly driftEvents: BoundAggregate<typeof driftEventAggregate>,
  ) {}

  async react(event: CloudEvent): Promise<void> {
    const report = event.data as unknown as DatasetDriftComputedData;
    const drifted = report.columns.filter((c) => severityOf(c) !== null);
    if (drifted.length === 0) return;
    const versions = await this.models.readModel
      .derived<ModelVersionDocument>(MODEL_VERSIONS_COLLECTION)
      .collection.find({ reference_dataset: report.reference_dataset_id })
      .sort({ _id: 1 })
      .toArray();
    const deployments = this.deployments.readModel.collection;
    const metadata = { actor: event.actor, correlationId: event.correlationid, causationId: event.id, now: new Date() };
    for (const version of versions) {
      if (version.deleted) continue;
      const live = await deployments.findOne({ model_name: version.model_name, model_version: version.version, status: { $in: LIVE_STATUSES } });
      if (!live) continue;
      const model = await this.models.load(version.model_name);
      const model_version_exists = findVersion(model.state, version.version) !== undefined;
      for (const column of drifted) {
        const drift_event_id = computedDriftEventId(new Date(event.time), report.report_id, version.model_name, version.version, column.column);
        const drift = {
          drift_event_id,
          model_name: version.model_name,
          model_version: version.version,
          feature: column.column.slice(0, FEATURE_MAX),
          metric: DRIFT_METRIC_OF[column.method],
          value: column.p_value ?? column.distance!,
          threshold: column.threshold,
          severity: severityOf(column)!,
          detected_at: event.time,
        };
        try {
          await this.driftEvents.execute(drift_event_id, { type: 'RecordDrift', data: { ...drift, model_version_exists } }, { metadata, awaitReadModel: false });
        } catch (error) {
          // Already recorded (a redelivery), or a version deleted since: nothing to record, ever.
          if (error instanceof DomainError && (error.kind === 'conflict' || error.kind === 'not_found')) continue;
          throw error;
        }
      }
      this.logger.log(`drift report ${report.report_id} (${report.dataset_id} against ${report.reference_dataset_id}): ${drifted.length} drifted columns on ${version.model_name} v${version.version}`);
    }
  }
}

export const computedDriftReactor: ReactorRegistration = {
  name: 'computed-drift',
  topic: Topics.featureStore,
  eventTypes: [DATASET_DRIFT_COMPUTED],
  handler: ComputedDriftReaction,
};
