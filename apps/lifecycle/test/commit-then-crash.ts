/**
 * Commits the first half of a cross-stream change the way a command does — a critical drift, a
 * canary's promotion — then dies with SIGKILL before anything else runs: no follow-up, no relay.
 * What remains (drift alerts, the superseded deployments' termination, the traffic allocation)
 * is the reactors' to do after a restart.
 * argv: mongoUrl dbName driftEventId modelName modelVersion promotedDeploymentId
 */
import mongoose from 'mongoose';
import { lifecycleCatalog } from '@mlops/events';
import { EventStore } from '@mlops/event-sourcing';
import { deploymentDecider, deploymentStreamId } from '../src/deployments/deployment.decider';
import { driftDecider, driftStreamId } from '../src/drift-events/drift-event.decider';

async function main() {
  const [mongoUrl, dbName, driftEventId, modelName, modelVersion, promotedId] = process.argv.slice(2);
  const connection = await mongoose.createConnection(mongoUrl, { dbName }).asPromise();
  const store = await EventStore.create(connection.db!, lifecycleCatalog);
  const metadata = { actor: 'crash-test', correlationId: 'crash-test', now: new Date() };

  const drift = {
    drift_event_id: driftEventId,
    model_name: modelName,
    model_version: Number(modelVersion),
    feature: 'income',
    metric: 'psi',
    value: 0.9,
    threshold: 0.2,
    severity: 'critical' as const,
    detected_at: metadata.now.toISOString(),
  };
  const driftStream = await store.aggregate(driftStreamId(driftEventId), driftDecider);
  const driftEvents = driftDecider.decide({ type: 'RecordDrift', data: { ...drift, model_version_exists: true } }, driftStream.state);
  await store.append(driftStreamId(driftEventId), driftStream.version, driftEvents, metadata);

  const promoted = await store.aggregate(deploymentStreamId(promotedId), deploymentDecider);
  const promotion = deploymentDecider.decide({ type: 'PromoteDeployment', data: { deployment_id: promotedId } }, promoted.state);
  await store.append(deploymentStreamId(promotedId), promoted.version, promotion, metadata);

  process.stdout.write('committed\n');
  process.kill(process.pid, 'SIGKILL');
}

void main();
