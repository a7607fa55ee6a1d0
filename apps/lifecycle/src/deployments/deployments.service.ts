import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DriftDetectedData } from '@mlops/events';
import { BoundAggregate, CommandResult, filterFrom, InjectAggregate, Page } from '@mlops/event-sourcing';
import { commandMetadata, SERVICE_CONFIG, wantsReadYourWrites } from '@mlops/platform';
import { LifecycleConfig } from '../config';
import { servingInProduction } from '../drift-alerts/drift-alert.reactor';
import { modelAggregate } from '../models/model.aggregate';
import { findVersion, modelKeyOf } from '../models/model.decider';
import { findModelByName } from '../models/models.projection';
import { CurrentNames } from '../experiments/current-names';
import { deploymentAggregate } from './deployment.aggregate';
import { DeploymentCommand, deploymentDecider, LIVE_STATUSES } from './deployment.decider';
import { CreateDeploymentDto, ListDeploymentsQueryDto, UpdateDeploymentDto } from './deployments.dto';
import { DeploymentDocument } from './deployments.projection';
import { TrafficAllocations } from '../traffic-allocation/traffic-allocations.service';
import { untilShown } from './read-model-wait';

/** DTO instances carry every declared field, unset ones as undefined; events hold only what was sent. */
const sent = <T extends object>(value: T | undefined): T | undefined =>
  value && (Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T);

@Injectable()
export class DeploymentsService {
  constructor(
    @InjectAggregate(deploymentAggregate) private readonly deployments: BoundAggregate<typeof deploymentAggregate>,
    @InjectAggregate(modelAggregate) private readonly models: BoundAggregate<typeof modelAggregate>,
    private readonly allocations: TrafficAllocations,
    @Inject(SERVICE_CONFIG) private readonly config: LifecycleConfig,
  ) {}

  private readonly modelNames = new CurrentNames({ collection: () => this.models.readModel.collection as never, prefix: 'model:', field: 'model_name' });

  private get readModel() {
    return this.deployments.readModel.collection;
  }

  async create(dto: CreateDeploymentDto): Promise<CommandResult<DeploymentDocument> & { deploymentId: string }> {
    const deploymentId = randomUUID();
    const metadata = commandMetadata();
    // The model called that now (deployments refer to its key); the write side says whether the version exists and its stage.
    const key = await this.modelKeyOf(dto.model_name);
    const model = key === null ? null : await this.models.load(key);
    const command: DeploymentCommand = {
      type: 'CreateDeployment',
      data: {
        deployment_id: deploymentId,
        model_name: key ?? dto.model_name,
        model_version: dto.model_version,
        model_stage: (model && findVersion(model.state, dto.model_version)?.stage) ?? null,
        environment: dto.environment,
        config: {
          replicas: dto.config?.replicas ?? 1,
          resources: sent(dto.config?.resources) ?? {},
          traffic_percent: dto.config?.traffic_percent ?? 100,
        },
      },
    };
    // Decided on the empty stream first (pure), so a create refused for its version allocates nothing.
    deploymentDecider.decide(command, deploymentDecider.initialState());
    // The cap's one owner decides the share (409 past 100%, races included), then the deployment is
    // written. A crash between the two commits leaves the share held by a deployment never written.
    const { deployment_id, model_name, environment, config } = command.data;
    await this.allocations.allocate({ deployment_id, model_name, environment, traffic_percent: config.traffic_percent }, metadata);
    const result = await this.deployments.execute(deploymentId, command, { metadata });
    return { ...result, deploymentId };
  }

  async update(id: string, dto: UpdateDeploymentDto, ifMatch?: number) {
    const metadata = commandMetadata();
    const { status, reason, health, metrics } = dto;
    const data = { deployment_id: id, now: metadata.now.toISOString(), status, reason, health, metrics: sent(metrics) };
    const result = await this.deployments.execute(id, { type: 'UpdateDeployment', data }, { ifMatch, metadata });
    if (status === 'failed') await this.allocations.followNow(id, metadata);
    return result;
  }

  async terminate(id: string, ifMatch?: number, reason?: string) {
    const metadata = commandMetadata();
    const data = { deployment_id: id, now: metadata.now.toISOString(), ...(reason ? { reason } : {}) };
    const result = await this.deployments.execute(id, { type: 'TerminateDeployment', data }, { ifMatch, metadata });
    await this.allocations.followNow(id, metadata);
    return result;
  }

  async rollBack(id: string, reason?: string, ifMatch?: number) {
    const metadata = commandMetadata();
    const result = await this.deployments.execute(id, { type: 'RollBackDeployment', data: { deployment_id: id, ...(reason ? { reason } : {}) } }, { ifMatch, metadata });
    await this.allocations.followNow(id, metadata);
    return result;
  }

  /**
   * The canary takes 100% (its allocation too, releasing the others' shares in one commit); the
   * promotion reactor then terminates the other live deployments. With read-your-writes the answer
   * waits, bounded, until the read model shows them ended.
   */
  async promote(id: string, ifMatch?: number) {
    const metadata = commandMetadata();
    const result = await this.deployments.execute(id, { type: 'PromoteDeployment', data: { deployment_id: id } }, { ifMatch, metadata });
    await this.allocations.followNow(id, metadata);
    if (wantsReadYourWrites() && result.doc) {
      const { model_name, environment } = result.doc;
      const others = () =>
        this.readModel.find({ model_name, environment, status: { $in: LIVE_STATUSES }, deployment_id: { $ne: id } }).toArray();
      await untilShown(others, (live) => live.length === 0, this.config.READ_YOUR_WRITES_TIMEOUT_MS);
    }
    return result;
  }

  /** The live production deployments serving this drift's model version, and which of them the read model shows alerted. */
  async driftAlerts(drift: Pick<DriftDetectedData, 'drift_event_id' | 'model_name' | 'model_version'>, wait: boolean): Promise<string[]> {
    const alerted = (docs: DeploymentDocument[]) => docs.filter((d) => d.drift_alerts.some((a) => a.drift_event_id === drift.drift_event_id));
    const serving = () => this.readModel.find(servingInProduction(drift)).toArray();
    const docs = wait ? await untilShown(serving, (live) => alerted(live).length === live.length, this.config.READ_YOUR_WRITES_TIMEOUT_MS) : await serving();
    return alerted(docs).map((d) => d.deployment_id);
  }

  /** Deployments as our API shows them: `model_name` is what the model is called now (they refer to its key). */
  async named(docs: DeploymentDocument[]): Promise<DeploymentDocument[]> {
    return this.modelNames.of(docs, 'model_name');
  }

  /** A command's result as our API answers it (`named`). */
  async namedResult<Result extends CommandResult<DeploymentDocument>>(result: Result): Promise<Result> {
    return result.doc ? { ...result, doc: (await this.named([result.doc]))[0] } : result;
  }

  /** The key deployments refer to of the live model called `name` now (an old name, used again, means the new model). */
  private async modelKeyOf(name: string): Promise<string | null> {
    const doc = await findModelByName(this.models.readModel.collection, name);
    return doc ? modelKeyOf(doc) : null;
  }

  get(id: string): Promise<DeploymentDocument> {
    return this.deployments.get(id);
  }

  async list(query: ListDeploymentsQueryDto): Promise<Page<DeploymentDocument>> {
    const filter = filterFrom(query, { environment: 'environment', status: 'status' });
    if (query.model_name) filter.model_name = (await this.modelKeyOf(query.model_name)) ?? query.model_name;
    return this.deployments.page(filter, query);
  }
}
