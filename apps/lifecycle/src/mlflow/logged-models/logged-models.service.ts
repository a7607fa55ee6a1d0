import { Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { KeyValue } from '@mlops/events';
import { EventSourcing, InjectReadModel, ReadModel } from '@mlops/event-sourcing';
import { commandMetadata } from '@mlops/platform';
import { mlflowInvalid, mlflowNotFound } from '../mlflow-errors';
import { decodePageToken, encodePageToken, toEpochMs } from '../mlflow-http';
import { artifactUri } from '../artifacts/artifact-path';
import { compareBy, parseFilter, parseOrderBy, satisfies, SearchVocabulary } from '../tracking/search-filter';
import { LoggedModelCommand, loggedModelDecider, loggedModelStreamId } from './logged-model.decider';
import { LoggedModelDocument, loggedModelsProjection } from './logged-models.projection';
import { z } from 'zod';

const STATUS_TO_MLFLOW = { PENDING: 'LOGGED_MODEL_PENDING', READY: 'LOGGED_MODEL_READY', FAILED: 'LOGGED_MODEL_UPLOAD_FAILED' } as const;
const STATUS_FROM_MLFLOW: Record<string, 'READY' | 'FAILED'> = { LOGGED_MODEL_READY: 'READY', LOGGED_MODEL_UPLOAD_FAILED: 'FAILED' };

export const LOGGED_MODEL_SEARCH: SearchVocabulary = {
  entities: ['attribute', 'tag', 'param'],
  numericAttributes: ['creation_timestamp', 'last_updated_timestamp'],
  stringAttributes: ['name', 'model_id', 'model_type', 'source_run_id', 'status'],
};
/** Logged models of the searched experiments read per search: beyond it the search asks for a narrower filter. */
const SEARCH_SCAN_LIMIT = 10_000;

/** A logged model in MLflow's shape (mlflow.entities.LoggedModel's proto). */
export function presentLoggedModel(doc: LoggedModelDocument) {
  return {
    info: {
      model_id: doc.model_id,
      experiment_id: doc.experiment_id,
      name: doc.name,
      artifact_uri: doc.artifact_location,
      creation_timestamp_ms: toEpochMs(doc.created_at),
      last_updated_timestamp_ms: toEpochMs(doc.updated_at),
      status: STATUS_TO_MLFLOW[doc.status],
      ...(doc.model_type ? { model_type: doc.model_type } : {}),
      ...(doc.source_run_id ? { source_run_id: doc.source_run_id } : {}),
      tags: doc.tags,
    },
    data: { params: doc.params, metrics: [] },
  };
}

const valueOf = (doc: LoggedModelDocument, entity: string, key: string): string | number | undefined => {
  if (entity === 'tag') return doc.tags.find((t) => t.key === key)?.value;
  if (entity === 'param') return doc.params.find((p) => p.key === key)?.value;
  if (key === 'creation_timestamp') return toEpochMs(doc.created_at);
  if (key === 'last_updated_timestamp') return toEpochMs(doc.updated_at);
  if (key === 'status') return STATUS_TO_MLFLOW[doc.status];
  const value = doc[key as 'name' | 'model_id' | 'model_type' | 'source_run_id'];
  return value ?? undefined;
};

/** MLflow 3's logged models over the `logged_model:<id>` streams. */
@Injectable()
export class LoggedModelsService {
  constructor(
    @InjectReadModel(loggedModelsProjection) private readonly docs: ReadModel<LoggedModelDocument>,
    private readonly eventSourcing: EventSourcing,
  ) {}

  private get readModel() {
    return this.docs.collection;
  }

  private async execute(modelId: string, command: LoggedModelCommand): Promise<LoggedModelDocument> {
    const outcome = await this.eventSourcing.commands.handle(loggedModelDecider, loggedModelStreamId(modelId), command, commandMetadata());
    const doc = await this.eventSourcing.waitForProjection<LoggedModelDocument>(loggedModelsProjection, outcome.streamId, outcome.version);
    return doc ?? this.find(modelId);
  }

  async find(modelId: string, { allowDeleted = false } = {}): Promise<LoggedModelDocument> {
    const doc = await this.readModel.findOne({ _id: loggedModelStreamId(modelId) });
    if (!doc || (doc.deleted && !allowDeleted)) throw mlflowNotFound(`Logged model with ID '${modelId}' not found`);
    return doc;
  }

  async create(request: { experiment_id: string; name?: string; model_type?: string; source_run_id?: string; params: KeyValue[]; tags: KeyValue[] }) {
    const modelId = `m-${randomUUID().replace(/-/g, '')}`;
    const doc = await this.execute(modelId, {
      type: 'CreateLoggedModel',
      data: {
        model_id: modelId,
        experiment_id: request.experiment_id,
        name: request.name || `model-${randomBytes(4).toString('hex')}`,
        source_run_id: request.source_run_id || null,
        model_type: request.model_type || null,
        artifact_location: artifactUri(`${request.experiment_id}/models/${modelId}/artifacts`),
        tags: request.tags,
        params: request.params,
      },
    });
    return { model: presentLoggedModel(doc) };
  }

  async get(modelId: string, allowDeleted: boolean) {
    return { model: presentLoggedModel(await this.find(modelId, { allowDeleted })) };
  }

  async finalize(modelId: string, status: string) {
    const ours = STATUS_FROM_MLFLOW[status];
    if (!ours) throw mlflowInvalid(`Invalid status ${JSON.stringify(status)}: use LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED`);
    return { model: presentLoggedModel(await this.execute(modelId, { type: 'FinalizeLoggedModel', data: { model_id: modelId, status: ours } })) };
  }

  async setTags(modelId: string, tags: KeyValue[]) {
    await this.execute(modelId, { type: 'SetLoggedModelTags', data: { model_id: modelId, tags } });
    return {};
  }

  async deleteTag(modelId: string, key: string) {
    await this.execute(modelId, { type: 'DeleteLoggedModelTag', data: { model_id: modelId, key } });
    return {};
  }

  async logParams(modelId: string, params: KeyValue[]) {
    await this.execute(modelId, { type: 'LogLoggedModelParams', data: { model_id: modelId, params } });
    return {};
  }

  async delete(modelId: string) {
    await this.execute(modelId, { type: 'DeleteLoggedModel', data: { model_id: modelId } });
    return {};
  }

  /** The run's model outputs: each model must exist; the link is the model's source run (recorded at creation). */
  async logOutputs(runId: string, models: { model_id: string }[]) {
    for (const { model_id } of models) {
      const doc = await this.find(model_id);
      if (doc.source_run_id !== runId) throw mlflowInvalid(`Logged model ${model_id} was not logged by run ${runId}`);
    }
    return {};
  }

  async search(request: { experiment_ids: string[]; filter?: string; max_results: number; order_by: { field_name: string; ascending?: boolean }[]; page_token?: string }) {
    const comparisons = parseFilter(request.filter, LOGGED_MODEL_SEARCH);
    const clauses = request.order_by.map((o) => ({ ...parseOrderBy(o.field_name, LOGGED_MODEL_SEARCH), ascending: o.ascending ?? true }));
    const docs = await this.readModel
      .find({ experiment_id: { $in: request.experiment_ids } })
      .sort({ _id: 1 })
      .limit(SEARCH_SCAN_LIMIT + 1)
      .toArray();
    if (docs.length > SEARCH_SCAN_LIMIT) throw mlflowInvalid(`More than ${SEARCH_SCAN_LIMIT} logged models in these experiments: search fewer experiments`);
    const matching = docs
      .filter((doc) => !doc.deleted && comparisons.every((c) => satisfies(valueOf(doc, c.entity, c.key), c)))
      .sort(compareBy(clauses.length ? clauses : [{ entity: 'attribute', key: 'creation_timestamp', ascending: false }], (doc, c) => valueOf(doc, c.entity, c.key), (a, b) => a._id.localeCompare(b._id)));
    const offset = decodePageToken(request.page_token, z.object({ offset: z.number().int().min(0) }))?.offset ?? 0;
    const page = matching.slice(offset, offset + request.max_results);
    const next = offset + request.max_results < matching.length ? encodePageToken({ offset: offset + request.max_results }) : undefined;
    return { models: page.map(presentLoggedModel), ...(next ? { next_page_token: next } : {}) };
  }
}
