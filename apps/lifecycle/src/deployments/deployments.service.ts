import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DriftDetectedData } from '@mlops/events';
import { DomainError, EventSourcing, findPage, notFound } from '@mlops/event-sourcing';
import { commandMetadata, CommandResult, decodeCursor, encodeCursor, Page, wantsReadYourWrites } from '@mlops/platform';
import { findVersion, modelDecider, modelStreamId } from '../models/model.decider';
import { DeploymentCommand, deploymentDecider, deploymentStreamId, LIVE_STATUSES } from './deployment.decider';
import { CreateDeploymentDto, ListDeploymentsQueryDto, UpdateDeploymentDto } from './deployments.dto';
import { DeploymentDocument, deploymentsProjection } from './deployments.projection';

/** DTO instances carry every declared field, unset ones as undefined; events hold only what was sent. */
const sent = <T extends object>(value: T | undefined): T | undefined =>
  value && (Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T);

@Injectable()
export class DeploymentsService {
  constructor(private readonly eventSourcing: EventSourcing) {}

  private get readModel() {
    return this.eventSourcing.runner<DeploymentDocument>(deploymentsProjection.name).readModel;
  }

  async create(dto: CreateDeploymentDto): Promise<CommandResult<DeploymentDocument> & { deploymentId: string }> {
    const deploymentId = randomUUID();
    // The write side, not the read model, says whether the version exists and its stage.
    const model = await this.eventSourcing.eventStore.aggregate(modelStreamId(dto.model_name), modelDecider);
    const live = await this.readModel
      .find({ model_name: dto.model_name, environment: dto.environment, status: { $in: LIVE_STATUSES } })
      .toArray();
    const result = await this.execute(deploymentId, {
      type: 'CreateDeployment',
      data: {
        deployment_id: deploymentId,
        model_name: dto.model_name,
        model_version: dto.model_version,
        model_stage: findVersion(model.state, dto.model_version)?.stage ?? null,
        environment: dto.environment,
        config: {
          replicas: dto.config?.replicas ?? 1,
          resources: sent(dto.config?.resources) ?? {},
          traffic_percent: dto.config?.traffic_percent ?? 100,
        },
        // Read across streams from the read model, so two creates racing for the last share can
        // both pass; the window is one projection lag wide and a later create sees the overshoot.
        live_traffic_percent: live.reduce((sum, d) => sum + d.config.traffic_percent, 0),
      },
    });
    return { ...result, deploymentId };
  }

  async update(id: string, dto: UpdateDeploymentDto, ifMatch?: number) {
    const metadata = commandMetadata();
    const { status, reason, health, metrics } = dto;
    const data = { deployment_id: id, now: metadata.now.toISOString(), status, reason, health, metrics: sent(metrics) };
    return this.execute(id, { type: 'UpdateDeployment', data }, ifMatch, metadata);
  }

  async terminate(id: string, ifMatch?: number, reason?: string) {
    const metadata = commandMetadata();
    const data = { deployment_id: id, now: metadata.now.toISOString(), ...(reason ? { reason } : {}) };
    return this.execute(id, { type: 'TerminateDeployment', data }, ifMatch, metadata);
  }

  async rollBack(id: string, reason?: string, ifMatch?: number) {
    return this.execute(id, { type: 'RollBackDeployment', data: { deployment_id: id, ...(reason ? { reason } : {}) } }, ifMatch);
  }

  /**
   * The canary takes 100%; the other live deployments of the model in that environment are then
   * terminated, each its own command (streams are separate), so their traffic does not linger.
   */
  async promote(id: string, ifMatch?: number) {
    const result = await this.execute(id, { type: 'PromoteDeployment', data: { deployment_id: id } }, ifMatch);
    const { state: promoted } = await this.eventSourcing.eventStore.aggregate(deploymentStreamId(id), deploymentDecider);
    if (!promoted.exists) return result;
    const others = await this.readModel
      .find({ model_name: promoted.model_name, environment: promoted.environment, status: { $in: LIVE_STATUSES }, deployment_id: { $ne: id } })
      .toArray();
    for (const other of others) {
      await this.terminate(other.deployment_id, undefined, `superseded by the promotion of ${id}`).catch((error) => {
        if (!(error instanceof DomainError && error.kind === 'invalid_state')) throw error; // already ended meanwhile
      });
    }
    return result;
  }

  /** Pages the live production deployments serving this model version (drift alerts). */
  async alertDrift(drift: DriftDetectedData): Promise<string[]> {
    const serving = await this.readModel
      .find({ model_name: drift.model_name, model_version: drift.model_version, environment: 'production', status: { $in: LIVE_STATUSES } })
      .toArray();
    const alerted: string[] = [];
    for (const deployment of serving) {
      const outcome = await this.eventSourcing.commands.handle(
        deploymentDecider,
        deploymentStreamId(deployment.deployment_id),
        { type: 'AlertDrift', data: { deployment_id: deployment.deployment_id, drift } },
        commandMetadata(),
        { retries: 5 },
      );
      if (!outcome.events.length) continue;
      alerted.push(deployment.deployment_id);
      // Read-your-writes covers every stream the drift wrote to: a GET of the deployment shows its alert.
      if (wantsReadYourWrites()) await this.eventSourcing.waitForProjection(deploymentsProjection.name, outcome.streamId, outcome.version);
    }
    return alerted;
  }

  async get(id: string): Promise<DeploymentDocument> {
    const doc = await this.readModel.findOne({ _id: deploymentStreamId(id) });
    if (!doc) throw notFound(`Deployment ${id} does not exist`);
    return doc;
  }

  async list(query: ListDeploymentsQueryDto): Promise<Page<DeploymentDocument>> {
    const filter: Record<string, unknown> = {};
    if (query.model_name) filter.model_name = query.model_name;
    if (query.environment) filter.environment = query.environment;
    if (query.status) filter.status = query.status;
    const { docs, lastId } = await findPage(this.readModel, filter, { limit: query.limit, after: decodeCursor(query.cursor) });
    return { items: docs, next_cursor: lastId ? encodeCursor(lastId) : null };
  }

  private async execute(
    id: string,
    command: DeploymentCommand,
    ifMatch?: number,
    metadata = commandMetadata(),
  ): Promise<CommandResult<DeploymentDocument>> {
    const outcome = await this.eventSourcing.commands.handle(deploymentDecider, deploymentStreamId(id), command, metadata, { ifMatch });
    const doc = wantsReadYourWrites()
      ? await this.eventSourcing.waitForProjection<DeploymentDocument>(deploymentsProjection.name, outcome.streamId, outcome.version)
      : null;
    return { version: outcome.version, doc };
  }
}
