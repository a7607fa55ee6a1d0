import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { KeyValue, ModelStage } from '@mlops/events';
import { commandMetadata } from '@mlops/platform';
import { EventSourcing, InjectReadModel, ReadModel } from '@mlops/event-sourcing';
import { ModelCommand, modelDecider, modelKeyOf, modelStreamId } from '../../models/model.decider';
import { findModelByName, MODEL_VERSIONS_COLLECTION, ModelDocument, ModelVersionDocument, ModelVersionTombstone, ModelVersionView, modelsProjection } from '../../models/models.projection';
import { ModelsService } from '../../models/models.service';
import { MlflowError, mlflowInvalid, mlflowNotFound } from '../mlflow-errors';
import { decodePageToken, encodePageToken } from '../mlflow-http';
import { LoggedModelsService } from '../logged-models/logged-models.service';
import { compareBy, Comparison, parseFilter, parseOrderBy, satisfies, storeConditions, withConditions } from '../tracking/search-filter';
import {
  checkModelName,
  fromMlflowStage,
  latestVersions,
  MODEL_VERSION_SEARCH,
  MODEL_VERSION_STORED_ATTRIBUTES,
  modelVersionValue,
  presentModelVersion,
  presentRegisteredModel,
  REGISTERED_MODEL_SEARCH,
  REGISTERED_MODEL_STORED_ATTRIBUTES,
  registeredModelValue,
} from './mlflow-registry';

/** Documents one search reads at most; beyond it the search asks for a narrower filter. */
const SEARCH_SCAN_LIMIT = 10_000;
const offsetToken = z.object({ offset: z.number().int().min(0) });

/**
 * As MLflow's registry store: a model without the tag satisfies `tags.x != 'v'` (the client itself
 * adds `tags.mlflow.prompt.is_prompt != 'true'` to every search, to leave prompts out).
 */
const matches = (actual: string | number | undefined, comparison: Comparison) =>
  actual === undefined && comparison.op === '!=' ? true : satisfies(actual, comparison);

function page<T>(items: T[], maxResults: number, pageToken: string | undefined) {
  const offset = decodePageToken(pageToken, offsetToken)?.offset ?? 0;
  const next = offset + maxResults < items.length ? encodePageToken({ offset: offset + maxResults }) : undefined;
  return { items: items.slice(offset, offset + maxResults), next };
}

/** MLflow's model registry over our model streams (`model:<name>`): one fact, one event, whichever API wrote it. */
@Injectable()
export class MlflowRegistryService {
  constructor(
    @InjectReadModel(modelsProjection) private readonly modelDocs: ReadModel<ModelDocument>,
    private readonly eventSourcing: EventSourcing,
    private readonly models: ModelsService,
    private readonly loggedModels: LoggedModelsService,
  ) {}

  private get readModel() {
    return this.modelDocs.collection;
  }

  private get versionDocs() {
    return this.modelDocs.derived<ModelVersionDocument | ModelVersionTombstone>(MODEL_VERSIONS_COLLECTION).collection;
  }

  /**
   * Runs a command on the stream of the model called `name` (its key's stream: a renamed model keeps
   * its key); answers the model's read model after it.
   */
  private async execute(name: string, command: (key: string) => ModelCommand): Promise<ModelDocument> {
    const key = modelKeyOf(await this.model(name));
    return this.written(await this.models.execute(key, command(key), {}), key);
  }

  /** MLflow answers these commands with an empty object once they are applied. */
  private async executeAnsweringEmpty(name: string, command: (key: string) => ModelCommand): Promise<Record<string, never>> {
    await this.execute(name, command);
    return {};
  }

  /**
   * The model's read model after a command: MLflow answers with the resource itself, so past the
   * read-your-writes bound it waits once more by the model's key (its name may not be readable yet),
   * then says the write is stored but not yet readable rather than that the model does not exist.
   */
  private async written(result: { doc: ModelDocument | null; version: number }, key: string): Promise<ModelDocument> {
    const doc = result.doc ?? (await this.eventSourcing.waitForProjection(modelsProjection, modelStreamId(key), result.version));
    if (!doc) throw new MlflowError('TEMPORARILY_UNAVAILABLE', `Registered model ${key} is stored; it is not readable yet`);
    return doc;
  }

  /** The live model called `name` now. */
  async model(name: string): Promise<ModelDocument> {
    const doc = await findModelByName(this.readModel, checkModelName(name));
    if (!doc) throw mlflowNotFound(`Registered Model with name=${name} not found`);
    return doc;
  }

  private async version(name: string, version: number): Promise<ModelVersionView> {
    const view = (await this.model(name)).versions.find((v) => v.version === version);
    if (!view) throw mlflowNotFound(`Model Version (name=${name}, version=${version}) not found`);
    return view;
  }

  private async versionAfter(name: string, version: number, command: (key: string) => ModelCommand) {
    const doc = await this.execute(name, command);
    const view = doc.versions.find((v) => v.version === version);
    if (!view) throw mlflowNotFound(`Model Version (name=${name}, version=${version}) not found`);
    return { model_version: presentModelVersion(view) };
  }

  async createRegisteredModel(request: { name: string; description?: string; tags: KeyValue[] }) {
    const name = checkModelName(request.name);
    // Its name claim decides (RESOURCE_ALREADY_EXISTS when another model holds it); a name a renamed model gave up is free.
    const result = await this.models.create(name, request.description ?? '', request.tags);
    return { registered_model: presentRegisteredModel(await this.written(result, result.modelName)) };
  }

  async getRegisteredModel(name: string) {
    return { registered_model: presentRegisteredModel(await this.model(name)) };
  }

  async updateRegisteredModel(name: string, description: string) {
    return { registered_model: presentRegisteredModel(await this.execute(name, (model_name) => ({ type: 'UpdateRegisteredModel', data: { model_name, description } }))) };
  }

  /**
   * MLflow's rename: the new name claimed, then one event on the model's stream; its versions,
   * aliases and tags go with it and are found under the new name from then on. The old name is free.
   */
  async renameRegisteredModel(name: string, newName: string) {
    checkModelName(newName);
    const key = modelKeyOf(await this.model(name));
    await this.models.rename(key, newName);
    return { registered_model: presentRegisteredModel((await this.readModel.findOne({ _id: modelStreamId(key) }))!) };
  }

  async deleteRegisteredModel(name: string) {
    await this.models.delete(modelKeyOf(await this.model(name)));
    return {};
  }

  async setRegisteredModelTag(name: string, key: string, value: string) {
    return this.executeAnsweringEmpty(name, (model_name) => ({ type: 'SetRegisteredModelProperty', data: { model_name, key, value } }));
  }

  async deleteRegisteredModelTag(name: string, key: string) {
    return this.executeAnsweringEmpty(name, (model_name) => ({ type: 'DeleteRegisteredModelProperty', data: { model_name, key } }));
  }

  async searchRegisteredModels(request: { filter?: string; max_results: number; order_by: string[]; page_token?: string }) {
    const comparisons = parseFilter(request.filter, REGISTERED_MODEL_SEARCH);
    const clauses = request.order_by.map((clause) => parseOrderBy(clause, REGISTERED_MODEL_SEARCH));
    const query = withConditions({}, storeConditions(comparisons, REGISTERED_MODEL_STORED_ATTRIBUTES));
    const docs = await this.readModel.find(query).sort({ _id: 1 }).limit(SEARCH_SCAN_LIMIT + 1).toArray();
    if (docs.length > SEARCH_SCAN_LIMIT) throw mlflowInvalid(`More than ${SEARCH_SCAN_LIMIT} registered models match: narrow the filter`);
    const matching = docs
      .filter((doc) => doc.exists !== false && comparisons.every((c) => matches(registeredModelValue(doc, c.entity, c.key), c)))
      .sort(compareBy(clauses.length ? clauses : [{ entity: 'attribute', key: 'name', ascending: true }], (doc, c) => registeredModelValue(doc, c.entity, c.key), (a, b) => a._id.localeCompare(b._id)));
    const { items, next } = page(matching, request.max_results, request.page_token);
    return { registered_models: items.map(presentRegisteredModel), ...(next ? { next_page_token: next } : {}) };
  }

  async latestVersions(name: string, stages: string[]) {
    return { model_versions: latestVersions((await this.model(name)).versions, stages).map(presentModelVersion) };
  }

  async setAlias(name: string, alias: string, version: number) {
    return this.executeAnsweringEmpty(name, (model_name) => ({ type: 'SetModelVersionAlias', data: { model_name, alias, version } }));
  }

  async deleteAlias(name: string, alias: string) {
    return this.executeAnsweringEmpty(name, (model_name) => ({ type: 'DeleteModelVersionAlias', data: { model_name, alias } }));
  }

  async versionByAlias(name: string, alias: string) {
    const doc = await this.model(name);
    const pointer = (doc.aliases ?? []).find((a) => a.alias === alias);
    const view = pointer && doc.versions.find((v) => v.version === pointer.version);
    if (!view) throw mlflowNotFound(`Registered model alias ${alias} not found.`);
    return { model_version: presentModelVersion(view) };
  }

  /**
   * A version from a run's files (`runs:/` resolved by the client to the run's artifact URI) or from
   * a logged model (`models:/m-…`): its storage location and source run come from the logged model.
   * Our versions always name their run: the registration copies its metrics and params.
   */
  async createModelVersion(request: { name: string; source: string; run_id?: string; model_id?: string; description?: string; tags: KeyValue[] }) {
    const name = checkModelName(request.name);
    const key = modelKeyOf(await this.model(name));
    // The write side, not the read model, says whether the model still exists.
    const state = await this.eventSourcing.eventStore.aggregate(modelStreamId(key), modelDecider);
    if (!state.state.exists) throw mlflowNotFound(`Registered Model with name=${name} not found`);
    const modelId = request.model_id || /^models:\/(m-[0-9a-f]{32})$/.exec(request.source)?.[1];
    const logged = modelId ? await this.loggedModels.find(modelId) : null;
    const runId = request.run_id || logged?.source_run_id;
    if (!runId) throw mlflowInvalid('A model version needs its source run: give run_id, or a logged model that a run logged');
    const source = logged && request.source.startsWith('models:/') ? logged.artifact_location : request.source;
    const registered = await this.models.registerOn(key, { model_name: name, run_id: runId, artifact_uri: source, description: request.description, tags: [] });
    for (const tag of request.tags) {
      await this.models.execute(key, { type: 'SetModelVersionProperty', data: { model_name: key, version: registered.versionNumber, key: tag.key, value: tag.value } }, {});
    }
    return { model_version: presentModelVersion(await this.version(name, registered.versionNumber)) };
  }

  async getModelVersion(name: string, version: number) {
    return { model_version: presentModelVersion(await this.version(name, version)) };
  }

  async updateModelVersion(name: string, version: number, description: string | undefined) {
    await this.version(name, version);
    if (description === undefined) return { model_version: presentModelVersion(await this.version(name, version)) };
    return this.versionAfter(name, version, this.versionUpdate(version, { description }));
  }

  private versionUpdate(version: number, change: { description?: string; stage?: ModelStage; archive_existing?: boolean }) {
    const { actor, now } = commandMetadata();
    return (model_name: string): ModelCommand => ({ type: 'UpdateModelVersion', data: { model_name, version, actor, now: now.toISOString(), ...change } });
  }

  async deleteModelVersion(name: string, version: number) {
    await this.version(name, version);
    return this.executeAnsweringEmpty(name, (model_name) => ({ type: 'DeleteModelVersion', data: { model_name, version } }));
  }

  async setModelVersionTag(name: string, version: number, key: string, value: string) {
    await this.version(name, version);
    return this.executeAnsweringEmpty(name, (model_name) => ({ type: 'SetModelVersionProperty', data: { model_name, version, key, value } }));
  }

  async deleteModelVersionTag(name: string, version: number, key: string) {
    await this.version(name, version);
    return this.executeAnsweringEmpty(name, (model_name) => ({ type: 'DeleteModelVersionProperty', data: { model_name, version, key } }));
  }

  /** MLflow's stage change through our rules: Production needs every required checklist item (INVALID_PARAMETER_VALUE naming the missing ones). */
  async transitionStage(name: string, version: number, stage: string, archiveExisting: boolean) {
    await this.version(name, version);
    return this.versionAfter(name, version, this.versionUpdate(version, { stage: fromMlflowStage(stage), ...(archiveExisting ? { archive_existing: true } : {}) }));
  }

  async downloadUri(name: string, version: number) {
    return { artifact_uri: (await this.version(name, version)).artifact_uri };
  }

  async searchModelVersions(request: { filter?: string; max_results: number; order_by: string[]; page_token?: string }) {
    const comparisons = parseFilter(request.filter, MODEL_VERSION_SEARCH);
    const clauses = request.order_by.map((clause) => parseOrderBy(clause, MODEL_VERSION_SEARCH));
    // A name or stage in the filter reads those versions by index; anything else reads up to the scan limit.
    const query = withConditions({}, storeConditions(comparisons, MODEL_VERSION_STORED_ATTRIBUTES));
    const docs = await this.versionDocs.find(query).sort({ _id: 1 }).limit(SEARCH_SCAN_LIMIT + 1).toArray();
    if (docs.length > SEARCH_SCAN_LIMIT) throw mlflowInvalid(`More than ${SEARCH_SCAN_LIMIT} model versions match: narrow the filter`);
    const views = docs.filter((doc): doc is ModelVersionDocument => !doc.deleted);
    const matching = views
      .filter((view) => comparisons.every((c) => matches(modelVersionValue(view, c.entity, c.key), c)))
      .sort(compareBy(clauses, (view, c) => modelVersionValue(view, c.entity, c.key), (a, b) => a.model_name.localeCompare(b.model_name) || b.version - a.version));
    const { items, next } = page(matching, request.max_results, request.page_token);
    return { model_versions: items.map(presentModelVersion), ...(next ? { next_page_token: next } : {}) };
  }
}
