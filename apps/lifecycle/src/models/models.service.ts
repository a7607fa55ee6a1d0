import { Inject, Injectable } from '@nestjs/common';
import { ModelEvent } from '@mlops/events';
import { CommandMetadata, CommandResult, EventSourcing, invalidInput, notFound, Page } from '@mlops/event-sourcing';
import { commandMetadata, SERVICE_CONFIG } from '@mlops/platform';
import { LifecycleConfig } from '../config';
import { trainingRunAggregate } from '../runs/training-run.aggregate';
import { compareVersions, VersionComparison } from './model-compare';
import { modelAggregate } from './model.aggregate';
import { ModelCommand, modelKeyOf } from './model.decider';
import { CompareModelVersionsDto, ListModelVersionsQueryDto, RegisterModelVersionDto, UpdateModelVersionDto } from './models.dto';
import { findModelByName, MODEL_VERSIONS_COLLECTION, ModelDocument, ModelVersionDocument, ModelVersionTombstone, ModelVersionView } from './models.projection';

/** Enough for every one of dozens of parallel registrations of one model to get its number. */
const REGISTRATION_RETRIES = 50;

export type ModelCommandResult = CommandResult<ModelDocument> & { modelName: string; versionNumber: number };

@Injectable()
export class ModelsService {
  private readonly models;
  private readonly runs;
  private readonly versions;

  constructor(
    eventSourcing: EventSourcing,
    @Inject(SERVICE_CONFIG) private readonly config: LifecycleConfig,
  ) {
    this.models = eventSourcing.aggregate(modelAggregate);
    this.runs = eventSourcing.aggregate(trainingRunAggregate);
    this.versions = this.models.readModel.derived<ModelVersionDocument | ModelVersionTombstone>(MODEL_VERSIONS_COLLECTION);
  }

  private get readModel() {
    return this.models.readModel.collection;
  }

  async register(dto: RegisterModelVersionDto): Promise<ModelCommandResult> {
    // The write side, not the read model, says whether the run exists and what it logged.
    const run = await this.runs.load(dto.run_id);
    const key = await this.keyOf(dto.model_name);
    const command: ModelCommand = {
      type: 'RegisterModelVersion',
      data: {
        model_name: key,
        run_id: dto.run_id,
        run: run.state.exists
          ? { params: run.state.params, metrics: run.state.latest_metrics.map(({ key, value }) => ({ key, value })) }
          : null,
        artifact_uri: dto.artifact_uri,
        description: dto.description ?? '',
        tags: dto.tags ?? [],
        metrics: dto.metrics && Object.entries(dto.metrics).map(([key, value]) => ({ key, value })),
        checklist: this.config.MODEL_CHECKLIST,
        stage: dto.stage ?? 'none',
        ...(dto.reference_dataset ? { reference_dataset: dto.reference_dataset } : {}),
      },
    };
    return this.execute(key, command, { retries: REGISTRATION_RETRIES });
  }

  async update(modelName: string, version: number, dto: UpdateModelVersionDto, ifMatch?: number): Promise<ModelCommandResult> {
    const metadata = commandMetadata();
    const key = await this.keyOf(modelName);
    const command: ModelCommand = {
      type: 'UpdateModelVersion',
      data: { model_name: key, version, actor: metadata.actor, now: metadata.now.toISOString(), ...dto },
    };
    return this.execute(key, command, { ifMatch }, metadata);
  }

  async get(modelName: string, version: number): Promise<{ model: ModelDocument; view: ModelVersionView }> {
    const model = await findModelByName(this.readModel, modelName);
    const view = model?.versions.find((v) => v.version === version);
    if (!model || !view) throw notFound(`Model ${modelName} has no version ${version}`);
    return { model, view };
  }

  async list(query: ListModelVersionsQueryDto): Promise<Page<ModelVersionDocument>> {
    const filter: Record<string, unknown> = {};
    if (query.model_name) filter.model_name = query.model_name;
    if (query.stage) filter.stage = query.stage;
    const page = await this.versions.page(filter, query);
    // Deleted versions stay as tombstones (upserts cannot remove): skipped here, the cursor still moves past them.
    return { items: page.items.filter((doc): doc is ModelVersionDocument => !doc.deleted), next_cursor: page.next_cursor };
  }

  async compare(modelName: string, dto: CompareModelVersionsDto): Promise<VersionComparison> {
    const both = (dto.higher_is_better ?? []).filter((key) => dto.lower_is_better?.includes(key));
    if (both.length) throw invalidInput(`Both higher and lower is better: ${both.join(', ')}`, [{ field: 'lower_is_better', message: 'a key may be in one list only' }]);
    const model = await findModelByName(this.readModel, modelName);
    if (!model) throw notFound(`Model ${modelName} does not exist`);
    const missing = dto.versions.filter((n) => !model.versions.some((v) => v.version === n));
    if (missing.length) throw notFound(`Model ${modelName} has no version ${missing.join(', ')}`);
    return compareVersions(dto.versions.map((n) => model.versions.find((v) => v.version === n)!), dto);
  }

  /** The stream key of the model called `modelName` (a renamed one keeps the name it was created with). */
  private async keyOf(modelName: string): Promise<string> {
    const doc = await findModelByName(this.readModel, modelName);
    return doc ? modelKeyOf(doc) : modelName;
  }

  /** Runs a command on the model's stream and waits (bounded) for its read model; the MLflow registry uses it too. */
  async execute(
    modelName: string,
    command: ModelCommand,
    options: { ifMatch?: number; retries?: number },
    metadata: CommandMetadata = commandMetadata(),
  ): Promise<ModelCommandResult> {
    const result = await this.models.execute(modelName, command, { ...options, metadata });
    const versionNumber =
      command.type === 'RegisterModelVersion'
        ? (result.events[0] as Extract<ModelEvent, { type: 'ModelVersionRegistered' }>).data.version
        : 'version' in command.data ? command.data.version : 0;
    return { version: result.version, doc: result.doc, modelName, versionNumber };
  }
}
