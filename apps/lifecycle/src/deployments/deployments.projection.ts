import {
  CloudEvent,
  DeploymentConfig,
  DeploymentEnvironment,
  DeploymentEvent,
  DeploymentHealth,
  DeploymentMetrics,
  DeploymentStatus,
  DriftSeverity,
  lifecycleCatalog,
  Topics,
} from '@mlops/events';
import { Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';
import { DEPLOYMENT_STATUSES } from './deployment.decider';

export interface DeploymentDocument extends ReadModelDocument {
  deployment_id: string;
  model_name: string;
  model_version: number;
  environment: DeploymentEnvironment;
  status: DeploymentStatus;
  config: DeploymentConfig;
  health: DeploymentHealth;
  metrics: DeploymentMetrics;
  health_reported_at: string | null;
  status_history: { from: DeploymentStatus | null; to: DeploymentStatus; at: string; by: string; reason: string | null }[];
  drift_alerts: { drift_event_id: string; feature: string; metric: string; value: number; threshold: number; severity: DriftSeverity; detected_at: string }[];
  terminated_at: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export const deploymentsSchema = readModelSchema('deployments', {
  deployment_id: String,
  model_name: String,
  model_version: Number,
  environment: { type: String, enum: ['development', 'staging', 'production'] },
  status: { type: String, enum: DEPLOYMENT_STATUSES },
  config: Object,
  health: String,
  metrics: Object,
  health_reported_at: String,
  status_history: [Object],
  drift_alerts: [Object],
  terminated_at: String,
  created_at: String,
  created_by: String,
  updated_at: String,
  updated_by: String,
});
// The list filters, each with `_id` for the keyset page (findPage).
deploymentsSchema.index({ model_name: 1, _id: 1 }, { name: 'model_name_id' });
deploymentsSchema.index({ environment: 1, _id: 1 }, { name: 'environment_id' });
deploymentsSchema.index({ status: 1, _id: 1 }, { name: 'status_id' });
// The live deployments of a model in an environment (traffic share, promotion, drift alerts).
deploymentsSchema.index({ model_name: 1, environment: 1, status: 1 }, { name: 'model_name_environment_status' });

type Fields = Omit<DeploymentDocument, '_id' | 'version'>;

function moved(current: Fields, to: DeploymentStatus, event: CloudEvent, reason?: string): Fields {
  const step = { from: current.status, to, at: event.time, by: event.actor, reason: reason ?? null };
  return { ...current, status: to, status_history: [...current.status_history, step] };
}

/** Deployments read model: one document per deployment stream, health and status history included. */
export const deploymentsProjection: Projection<DeploymentDocument> = {
  name: 'deployments',
  topic: Topics.lifecycle,
  streamType: 'deployment',
  schema: deploymentsSchema,
  evolve(current, event: CloudEvent<any>) {
    const e = { type: lifecycleCatalog.nameOf(event.type), data: event.data } as DeploymentEvent;
    const touched = { updated_at: event.time, updated_by: event.actor };
    if (e.type === 'DeploymentCreated') {
      return {
        ...e.data,
        status: 'pending',
        health: 'unknown',
        metrics: {},
        health_reported_at: null,
        status_history: [{ from: null, to: 'pending', at: event.time, by: event.actor, reason: null }],
        drift_alerts: [],
        terminated_at: null,
        created_at: event.time,
        created_by: event.actor,
        ...touched,
      };
    }
    const doc: Fields = { ...current!, ...touched };
    switch (e.type) {
      case 'DeploymentStatusChanged':
        return moved(doc, e.data.to, event, e.data.reason);
      case 'DeploymentHealthReported':
        return { ...doc, health: e.data.health ?? doc.health, metrics: { ...doc.metrics, ...e.data.metrics }, health_reported_at: e.data.reported_at };
      case 'DeploymentPromoted':
        return { ...doc, config: { ...doc.config, traffic_percent: e.data.to_traffic_percent } };
      case 'DeploymentRolledBack':
        return moved(doc, 'rollback', event, e.data.reason);
      case 'DeploymentTerminated':
        return { ...moved(doc, 'terminated', event, e.data.reason), terminated_at: e.data.terminated_at };
      case 'DeploymentDriftAlerted': {
        const { deployment_id: _d, model_name: _m, model_version: _v, ...alert } = e.data;
        return { ...doc, drift_alerts: [...doc.drift_alerts, alert] };
      }
    }
  },
};
