import { Inject, Injectable } from '@nestjs/common';
import { KeyValue, ModelEvent } from '@mlops/events';
import { BoundAggregate, CommandMetadata, CommandResult, conflict, DomainError, EventSourcing, filterFrom, InjectAggregate, invalidInput, notFound, Page } from '@mlops/event-sourcing';
import { commandMetadata, SERVICE_CONFIG } from '@mlops/platform';
import { LifecycleConfig } from '../config';
import { trainingRunAggregate } from '../runs/training-run.aggregate';
import { compareVersions, VersionComparison } from './model-compare';
import { modelAggregate } from './model.aggregate';
import { NameHolder } from '../experiments/name-claim.decider';
import { appendedAtVersion, Claimed, createsUnderItsName, freshKey, NameClaims } from '../experiments/name-claims';
import { ModelCommand, modelCalled, modelDecider, modelKeyOf, modelStreamId } from './model.decider';
import { CompareModelVersionsDto, ListModelVersionsQueryDto, RegisterModelVersionDto, UpdateModelVersionDto } from './models.dto';
import { findModelByName, MODEL_VERSIONS_COLLECTION, ModelDocument, ModelVersionDocument, ModelVersionTombstone, ModelVersionView, modelsProjection } from './models.projection';

/** Enough for every one of dozens of parallel registrations of one model to get its number. */
const REGISTRATION_RETRIES = 50;
/** A rename that loses its model's version to another command claims again at the new one. */
const RENAME_ATTEMPTS = 5;

export type ModelCommandResult = CommandResult<ModelDocument> & { modelName: string; versionNumber: number };

@Injectable()
export class ModelsService {
  private readonly names: NameClaims;

  constructor(
    @InjectAggregate(modelAggregate) private readonly models: BoundAggregate<typeof modelAggregate>,
    @InjectAggregate(trainingRunAggregate) private readonly runs: BoundAggregate<typeof trainingRunAggregate>,
    private readonly eventSourcing: EventSourcing,
    @Inject(SERVICE_CONFIG) private readonly config: LifecycleConfig,
  ) {
    this.names = new NameClaims(eventSourcing, {
      kind: 'registered_model',
      standing: async (key) => {
        const { state, version } = await this.models.load(key);
        return { version, name: state.exists ? modelCalled(state, key) : null };
      },
      unclaimedHolder: async (name, claim) => {
        if (!createsUnderItsName(name, claim)) {
          const own = await this.models.load(name);
          if (own.state.exists && modelCalled(own.state, name) === name) return name;
        }
        const doc = await findModelByName(this.readModel, name);
        return doc ? modelKeyOf(doc) : null;
      },
      appendAnnounced: (name, holder, metadata) =>
        this.eventSourcing.commands.handle(modelDecider, modelStreamId(holder.key), announcedModelCommand(name, holder), metadata, { ifMatch: holder.at_version }),
    });
  }

  /**
   * Claims the name (409 when another model holds it), then creates the registered model under the
   * name as its key (a deleted model's stream is created again, its numbers carrying on) — or under a
   * fresh key when a model renamed away from the name keeps it.
   */
  async create(name: string, description: string, properties: KeyValue[], metadata: CommandMetadata = commandMetadata()): Promise<ModelCommandResult> {
    return this.appendCreate(await this.claimForCreate(name, description, properties, metadata), name, description, properties, metadata);
  }

  private claimForCreate(name: string, description: string, properties: KeyValue[], metadata: CommandMetadata) {
    const created = { description, properties };
    return this.names.claim(
      name,
      async () => {
        const own = await this.models.load(name);
        return own.state.exists ? { key: freshKey(name), at_version: 0, created } : { key: name, at_version: own.version, created };
      },
      metadata,
    );
  }

  /** The create a claim announced, at its version; when another claimant completed it first, the model as it stands. */
  private async appendCreate(claimed: Claimed, name: string, description: string, properties: KeyValue[], metadata: CommandMetadata): Promise<ModelCommandResult> {
    const command: ModelCommand = { type: 'CreateRegisteredModel', data: { model_name: claimed.key, description, properties, called: name } };
    let result: ModelCommandResult | undefined;
    if (await appendedAtVersion(async () => (result = await this.execute(claimed.key, command, { ifMatch: claimed.at_version }, metadata)))) return result!;
    const now = await this.models.load(claimed.key);
    if (!(now.state.exists && modelCalled(now.state, claimed.key) === name)) throw conflict(`Registered model ${name} already exists`);
    const doc = await this.eventSourcing.waitForProjection<ModelDocument>(modelsProjection, modelStreamId(claimed.key), now.version);
    return { version: now.version, doc, modelName: claimed.key, versionNumber: 0 };
  }

  /** Renames the model with this key: claims `newName`, appends the rename at the version the claim names, gives the old name back. */
  async rename(key: string, newName: string, metadata: CommandMetadata = commandMetadata()): Promise<void> {
    for (let attempt = 0; attempt < RENAME_ATTEMPTS; attempt++) {
      const { state, version } = await this.models.load(key);
      if (!state.exists) throw notFound(`Registered model ${key} does not exist`);
      const previous = modelCalled(state, key);
      if (previous === newName) return;
      await this.names.claim(newName, async () => ({ key, at_version: version }), metadata);
      const command: ModelCommand = { type: 'RenameRegisteredModel', data: { model_name: key, new_name: newName } };
      if (!(await appendedAtVersion(() => this.execute(key, command, { ifMatch: version }, metadata)))) {
        const now = await this.models.load(key);
        // Another claimant completed the rename for us, or the model changed meanwhile: claim again.
        if (!(now.state.exists && modelCalled(now.state, key) === newName)) continue;
        await this.eventSourcing.waitForProjection(modelsProjection, modelStreamId(key), now.version);
      }
      await this.names.release(previous, key, metadata);
      return;
    }
    throw conflict(`Registered model ${key} kept changing during its rename; retry`);
  }

  /** Deletes the model with this key and gives its name back (a release left out is stale anyway: the holder no longer exists). */
  async delete(key: string, metadata: CommandMetadata = commandMetadata()): Promise<ModelCommandResult> {
    const { state } = await this.models.load(key);
    const result = await this.execute(key, { type: 'DeleteRegisteredModel', data: { model_name: key } }, {}, metadata);
    await this.names.release(modelCalled(state, key), key, metadata);
    return result;
  }

  /** The key of the live model called `name` now, or null: an old name no longer means a renamed model. */
  async keyOf(name: string): Promise<string | null> {
    const doc = await findModelByName(this.readModel, name);
    return doc ? modelKeyOf(doc) : null;
  }

  private get readModel() {
    return this.models.readModel.collection;
  }

  private get versions() {
    return this.models.readModel.derived<ModelVersionDocument | ModelVersionTombstone>(MODEL_VERSIONS_COLLECTION);
  }

  /**
   * Registers a version of the model called `model_name` now; a name no model is called creates
   * the registered model (its name claimed, as every create's is).
   */
  async register(dto: RegisterModelVersionDto): Promise<ModelCommandResult> {
    const name = dto.model_name;
    // A missing run is refused before a new model's name is claimed: bad input writes nothing.
    if (!(await this.runs.load(dto.run_id)).state.exists) throw notFound(`Run ${dto.run_id} does not exist`);
    // Located under the name it is called, not its key.
    const located = (result: ModelCommandResult) => ({ ...result, modelName: name });
    for (let attempt = 0; attempt < RENAME_ATTEMPTS; attempt++) {
      const key = (await this.keyOf(name)) ?? (await this.names.holderOf(name));
      if (key !== null) return located(await this.registerOn(key, dto));
      const metadata = commandMetadata();
      let claimed: Claimed;
      try {
        claimed = await this.claimForCreate(name, '', [], metadata);
      } catch (error) {
        // Another registration or create took the name first: register on that model.
        if (error instanceof DomainError && error.kind === 'conflict') continue;
        throw error;
      }
      if (claimed.key === name) {
        // Under its own key the first version creates the model, as it always has, at the claim's
        // version; a claimant that completed the claim first created it empty, and the version goes on top.
        let result: ModelCommandResult | undefined;
        if (await appendedAtVersion(async () => (result = await this.registerOn(claimed.key, dto, { ifMatch: claimed.at_version }, metadata)))) return located(result!);
      } else {
        await this.appendCreate(claimed, name, '', [], metadata);
      }
      return located(await this.registerOn(claimed.key, dto));
    }
    throw conflict(`Registered model ${name} is being created concurrently; retry`);
  }

  /** Registers a version on the model with this key (the MLflow registry, which found the key already). */
  async registerOn(key: string, dto: RegisterModelVersionDto, exactly?: { ifMatch: number }, metadata: CommandMetadata = commandMetadata()): Promise<ModelCommandResult> {
    // The write side, not the read model, says whether the run exists and what it logged.
    const run = await this.runs.load(dto.run_id);
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
    return this.execute(key, command, exactly ?? { retries: REGISTRATION_RETRIES }, metadata);
  }

  async update(modelName: string, version: number, dto: UpdateModelVersionDto, ifMatch?: number): Promise<ModelCommandResult> {
    const metadata = commandMetadata();
    const key = await this.keyOf(modelName);
    if (key === null) throw notFound(`Model ${modelName} has no version ${version}`);
    const command: ModelCommand = {
      type: 'UpdateModelVersion',
      data: { model_name: key, version, actor: metadata.actor, now: metadata.now.toISOString(), ...dto },
    };
    return { ...(await this.execute(key, command, { ifMatch }, metadata)), modelName };
  }

  async get(modelName: string, version: number): Promise<{ model: ModelDocument; view: ModelVersionView }> {
    const model = await findModelByName(this.readModel, modelName);
    const view = model?.versions.find((v) => v.version === version);
    if (!model || !view) throw notFound(`Model ${modelName} has no version ${version}`);
    return { model, view };
  }

  async list(query: ListModelVersionsQueryDto): Promise<Page<ModelVersionDocument>> {
    const page = await this.versions.page(filterFrom(query, { model_name: 'model_name', stage: 'stage' }), query);
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

/** The create or rename a claim on `name` announced for its holder. */
function announcedModelCommand(name: string, holder: NameHolder): ModelCommand {
  return holder.created
    ? { type: 'CreateRegisteredModel', data: { model_name: holder.key, description: holder.created.description, properties: holder.created.properties ?? [], called: name } }
    : { type: 'RenameRegisteredModel', data: { model_name: holder.key, new_name: name } };
}
