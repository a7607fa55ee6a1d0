import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TagValue } from '@mlops/events';
import { DomainError, EventSourcing, InjectReadModel, ReadModel } from '@mlops/event-sourcing';
import { commandMetadata } from '@mlops/platform';
import { experimentDecider, experimentKeyOf, experimentStreamId } from '../../experiments/experiment.decider';
import { ExperimentDocument, experimentsProjection, findExperimentByName } from '../../experiments/experiments.projection';
import { ExperimentsService } from '../../experiments/experiments.service';
import { RunCommand, runStreamId } from '../../runs/run.decider';
import { LATEST_METRICS_COLLECTION, LatestMetricDocument, RunDocument, runsProjection } from '../../runs/runs.projection';
import { RunsService } from '../../runs/runs.service';
import { MlflowError, mlflowInvalid, mlflowNotFound } from '../mlflow-errors';
import { decodePageToken, encodePageToken, fromEpochMs } from '../mlflow-http';
import { DEFAULT_EXPERIMENT } from './experiment-ids';
import { datasetWithDigest, FeatureStoreDatasetDocument, featureStoreDatasetsProjection } from './feature-store-datasets.projection';
import {
  checkBatch,
  checkExperimentName,
  checkRunName,
  EXPERIMENT_STORED_ATTRIBUTES,
  experimentValue,
  fromMlflowStatus,
  MlflowKeyValue,
  MlflowMetric,
  RUN_NAME_TAG,
  RUN_STORED_ATTRIBUTES,
  runValue,
  toMlflowExperiment,
  toMlflowHistoryPoint,
  toMlflowRun,
  toRunInputs,
  USER_TAG,
} from './mlflow-tracking';
import type { MlflowDatasetInput } from './mlflow-tracking.dto';
import { compareBy, Comparison, EXPERIMENT_SEARCH, parseFilter, parseOrderBy, RUN_SEARCH, satisfies, storeCondition, storeConditions, withConditions } from './search-filter';
import { z } from 'zod';

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** Searches read at most this many runs (or experiments) before filtering and ordering in memory. */
export const SEARCH_SCAN_LIMIT = 50_000;
/** A metric comparison matching more runs than this narrows nothing worth a list of ids. */
const METRIC_PUSHDOWN_LIMIT = 5_000;

const offsetToken = z.object({ offset: z.number().int().min(0) });

/** A page of `items` from an offset, with MLflow's opaque token for the next one. */
function pageOf<T>(items: T[], maxResults: number, pageToken: string | undefined) {
  const offset = decodePageToken(pageToken, offsetToken)?.offset ?? 0;
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults < items.length ? encodePageToken({ offset: offset + maxResults }) : undefined;
  return { page, next_page_token: next };
}

/** A write-once parameter logged again with a new value is, in MLflow's words, an invalid parameter value. */
async function asMlflowParamError<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'conflict' && /write-once/.test(error.message)) {
      throw new MlflowError('INVALID_PARAMETER_VALUE', `Changing param values is not allowed. ${error.message}`);
    }
    throw error;
  }
}

/**
 * MLflow's tracking calls as our commands and read models: each call is one lifecycle command
 * (the same deciders our REST API uses), each answer read from the same read models.
 */
@Injectable()
export class MlflowTrackingService {
  private defaultExperiment?: Promise<void>;

  constructor(
    @InjectReadModel(experimentsProjection) private readonly experimentDocs: ReadModel<ExperimentDocument>,
    @InjectReadModel(featureStoreDatasetsProjection) private readonly datasetDocs: ReadModel<FeatureStoreDatasetDocument>,
    @InjectReadModel(runsProjection) private readonly runDocs: ReadModel<RunDocument>,
    private readonly eventSourcing: EventSourcing,
    private readonly experiments: ExperimentsService,
    private readonly runs: RunsService,
  ) {}

  private get experimentsReadModel() {
    return this.experimentDocs.collection;
  }

  private get featureStoreDatasets() {
    return this.datasetDocs.collection;
  }

  private get latestMetrics() {
    return this.runDocs.derived<LatestMetricDocument>(LATEST_METRICS_COLLECTION).collection;
  }

  private get runsReadModel() {
    return this.runDocs.collection;
  }

  /** MLflow's experiment "0" exists from the start: created on first use, by whichever process gets there first. */
  private ensureDefaultExperiment(): Promise<void> {
    this.defaultExperiment ??= (async () => {
      const existing = await this.experimentsReadModel.findOne({ _id: experimentStreamId(DEFAULT_EXPERIMENT.name) });
      if (existing) return;
      try {
        await this.experiments.create({ name: DEFAULT_EXPERIMENT.name, description: 'MLflow’s default experiment' } as never);
      } catch (error) {
        if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
      }
    })().catch((error) => {
      this.defaultExperiment = undefined;
      throw error;
    });
    return this.defaultExperiment;
  }

  private async experimentById(id: string): Promise<ExperimentDocument> {
    if (id === DEFAULT_EXPERIMENT.id) await this.ensureDefaultExperiment();
    const experiment = await this.experimentsReadModel.findOne({ mlflow_id: id });
    if (!experiment) throw mlflowNotFound(`No Experiment with id=${id} exists`);
    return experiment;
  }

  // ---- experiments -------------------------------------------------------------------------

  async createExperiment(name: string, tags: MlflowKeyValue[]) {
    checkExperimentName(name);
    const note = tags.find((tag) => tag.key === 'mlflow.note.content')?.value;
    // Its name claim decides (RESOURCE_ALREADY_EXISTS when another experiment holds it); a name a
    // renamed experiment gave up is free, and the new experiment gets its own key and id.
    const { key } = await this.experiments.create({ name, ...(note ? { description: note } : {}) } as never);
    for (const tag of tags.filter((t) => t.key !== 'mlflow.note.content')) await this.setExperimentTag(key, tag);
    const experiment = await this.experiments.get(name);
    return { experiment_id: toMlflowExperiment(experiment).experiment_id };
  }

  async getExperiment(id: string) {
    return { experiment: toMlflowExperiment(await this.experimentById(id)) };
  }

  async getExperimentByName(name: string) {
    if (name === DEFAULT_EXPERIMENT.name) await this.ensureDefaultExperiment();
    const experiment = await findExperimentByName(this.experimentsReadModel, name);
    if (!experiment) throw mlflowNotFound(`Could not find experiment with name '${name}'`);
    return { experiment: toMlflowExperiment(experiment) };
  }

  async searchExperiments(query: { filter?: string; order_by: string[]; view_type: ViewType; max_results: number; page_token?: string }) {
    await this.ensureDefaultExperiment();
    const comparisons = parseFilter(query.filter, EXPERIMENT_SEARCH);
    const order = query.order_by.map((clause) => parseOrderBy(clause, EXPERIMENT_SEARCH));
    const status: Record<string, unknown> = { ACTIVE_ONLY: { status: 'active' }, DELETED_ONLY: { status: 'archived' }, ALL: {} }[query.view_type];
    const docs = await this.experimentsReadModel.find(withConditions(status, storeConditions(comparisons, EXPERIMENT_STORED_ATTRIBUTES))).limit(SEARCH_SCAN_LIMIT).toArray();
    const matching = docs.filter((doc) => comparisons.every((c) => satisfies(experimentValue(doc, c.entity, c.key), c)));
    // MLflow's default: newest first, then by id.
    const clauses = order.length ? order : [{ entity: 'attribute' as const, key: 'creation_time', ascending: false }];
    matching.sort(compareBy(clauses, (doc, c) => experimentValue(doc, c.entity, c.key), (a, b) => (a._id < b._id ? -1 : 1)));
    const { page, next_page_token } = pageOf(matching, query.max_results, query.page_token);
    return { experiments: page.map(toMlflowExperiment), ...(next_page_token ? { next_page_token } : {}) };
  }

  async deleteExperiment(id: string) {
    const experiment = await this.experimentById(id);
    if (id === DEFAULT_EXPERIMENT.id) throw mlflowInvalid('Cannot delete the default experiment "0"');
    await this.experiments.updateByKey(experimentKeyOf(experiment), { status: 'archived' } as never);
    return {};
  }

  async restoreExperiment(id: string) {
    const experiment = await this.experimentById(id);
    await this.experiments.updateByKey(experimentKeyOf(experiment), { status: 'active' } as never);
    return {};
  }

  /**
   * A rename keeps the experiment's key and MLflow id (its runs stay in it); the new name is claimed
   * first (taken: RESOURCE_ALREADY_EXISTS, as MLflow answers) and the old one is free afterwards.
   */
  async renameExperiment(id: string, newName: string) {
    const experiment = await this.experimentById(id);
    checkExperimentName(newName);
    await this.experiments.rename(experimentKeyOf(experiment), newName);
    return {};
  }

  async setExperimentTagById(id: string, tag: MlflowKeyValue) {
    const experiment = await this.experimentById(id);
    await this.setExperimentTag(experimentKeyOf(experiment), tag);
    return {};
  }

  async deleteExperimentTagById(id: string, key: string) {
    const experiment = await this.experimentById(id);
    const name = experimentKeyOf(experiment);
    await this.experiments.execute(name, commandMetadata(), { type: 'DeleteExperimentTag', data: { name, key } });
    return {};
  }

  private async setExperimentTag(name: string, tag: MlflowKeyValue) {
    await this.experiments.execute(name, commandMetadata(), { type: 'SetExperimentTag', data: { name, key: tag.key, value: tag.value } });
  }

  // ---- runs --------------------------------------------------------------------------------

  private async runCommand(command: RunCommand) {
    const result = await this.runs.execute(command.data.run_id, commandMetadata(), command);
    return result.doc ?? (await this.runs.get(command.data.run_id));
  }

  async createRun(request: { experiment_id?: string; user_id?: string; start_time?: number; tags: MlflowKeyValue[]; run_name?: string }) {
    const experiment = await this.experimentById(request.experiment_id ?? DEFAULT_EXPERIMENT.id);
    const runId = randomUUID();
    const metadata = commandMetadata();
    const name = checkRunName(request.run_name ?? request.tags.find((tag) => tag.key === RUN_NAME_TAG)?.value ?? `run-${runId.slice(0, 8)}`);
    const tags = checkBatch({ metrics: [], params: [], tags: request.tags }).tags.filter((tag) => tag.key !== RUN_NAME_TAG);
    const user = request.user_id && !tags.some((tag) => tag.key === USER_TAG) ? [{ key: USER_TAG, value: request.user_id }] : [];
    // The write side, not the read model, says whether the experiment is active.
    const key = experimentKeyOf(experiment);
    const written = await this.eventSourcing.eventStore.aggregate(experimentStreamId(key), experimentDecider);
    const result = await this.runs.execute(runId, metadata, {
      type: 'StartRun',
      data: {
        run_id: runId,
        experiment_name: key,
        experiment_status: written.state.exists ? written.state.status : null,
        name,
        params: [],
        tags: [],
        tag_values: [...tags, ...user, { key: RUN_NAME_TAG, value: name }],
        start_time: request.start_time === undefined ? metadata.now.toISOString() : fromEpochMs(request.start_time),
      },
    });
    return { run: toMlflowRun(result.doc ?? (await this.runs.get(runId))) };
  }

  async getRun(runId: string) {
    return { run: toMlflowRun(await this.runs.get(runId)) };
  }

  async updateRun(request: { run_id: string; status?: string; end_time?: number; run_name?: string }) {
    const status = request.status === undefined ? undefined : fromMlflowStatus(request.status);
    const current = await this.runs.get(request.run_id);
    const ending = status !== undefined && status !== 'running' && current.status === 'running';
    const name = request.run_name ? checkRunName(request.run_name) : undefined;
    const doc = await this.runCommand({
      type: 'UpdateRun',
      data: {
        run_id: request.run_id,
        now: new Date().toISOString(),
        // An end status sent again (the client ends a run it already ended) changes nothing.
        ...(status !== undefined && (ending || status === 'running') ? { status } : {}),
        ...(ending && request.end_time !== undefined ? { end_time: fromEpochMs(request.end_time) } : {}),
        ...(name ? { name, tag_values: [{ key: RUN_NAME_TAG, value: name }] } : {}),
      },
    });
    return { run_info: toMlflowRun(doc).info };
  }

  async deleteRun(runId: string) {
    await this.runCommand({ type: 'DeleteRun', data: { run_id: runId } });
    return {};
  }

  async restoreRun(runId: string) {
    await this.runCommand({ type: 'RestoreRun', data: { run_id: runId } });
    return {};
  }

  /** log-metric, log-parameter, set-tag and log-batch: one UpdateRun command, so a batch is stored all or none. */
  async logBatch(runId: string, batch: { metrics: MlflowMetric[]; params: MlflowKeyValue[]; tags: MlflowKeyValue[] }) {
    const { metrics, params, tags } = checkBatch(batch);
    const renamed = [...tags].reverse().find((tag) => tag.key === RUN_NAME_TAG)?.value;
    await asMlflowParamError(
      this.runCommand({
        type: 'UpdateRun',
        data: {
          run_id: runId,
          now: new Date().toISOString(),
          ...(metrics.length ? { metrics: metrics.map((m) => ({ key: m.key, value: m.value, step: m.step, timestamp: fromEpochMs(m.timestamp) })) } : {}),
          ...(params.length ? { params: params.map((p) => ({ key: p.key, value: p.value })) } : {}),
          ...(tags.length ? { tag_values: tags as TagValue[] } : {}),
          ...(renamed ? { name: checkRunName(renamed) } : {}),
        },
      }),
    );
    return {};
  }

  /** A dataset input whose digest is a Feature Store dataset file's sha256 is linked to that dataset. */
  async logInputs(runId: string, datasets: MlflowDatasetInput[]) {
    const inputs = await Promise.all(
      toRunInputs(datasets).map(async (input) => {
        const dataset = await datasetWithDigest(this.featureStoreDatasets, input.digest);
        return dataset ? { ...input, dataset_id: dataset.dataset_id } : input;
      }),
    );
    if (inputs.length) await this.runCommand({ type: 'UpdateRun', data: { run_id: runId, now: new Date().toISOString(), inputs } });
    return {};
  }

  async deleteRunTag(runId: string, key: string) {
    if (key === RUN_NAME_TAG) throw mlflowInvalid(`The ${RUN_NAME_TAG} tag names the run; rename it instead`);
    await this.runCommand({ type: 'DeleteRunTag', data: { run_id: runId, key } });
    return {};
  }

  async metricHistory(runId: string, key: string, maxResults: number, pageToken?: string) {
    const page = await this.runs.metricHistory(runId, key, { limit: maxResults, cursor: pageToken });
    return { metrics: page.items.map((point) => toMlflowHistoryPoint(key, point)), ...(page.next_cursor ? { next_page_token: page.next_cursor } : {}) };
  }

  /**
   * The runs whose latest metrics satisfy the filter's metric comparisons, read by index from the
   * latest-metric documents the runs projection keeps; undefined when the filter has none, or
   * when so many runs match that reading the runs of the experiments is as cheap.
   */
  private async runsWithMetrics(experimentKeys: string[], comparisons: Comparison[]): Promise<string[] | undefined> {
    let runIds: Set<string> | undefined;
    for (const { entity, key, op, value } of comparisons) {
      const condition = entity === 'metric' ? storeCondition('value', op, value) : undefined;
      if (!condition) continue;
      const found = await this.latestMetrics
        .find({ experiment_name: { $in: experimentKeys }, key, ...condition }, { projection: { run_id: 1 } })
        .limit(METRIC_PUSHDOWN_LIMIT + 1)
        .toArray();
      if (found.length > METRIC_PUSHDOWN_LIMIT) continue;
      const ids = new Set(found.map((doc) => doc.run_id));
      runIds = runIds ? new Set([...runIds].filter((id) => ids.has(id))) : ids;
    }
    return runIds && [...runIds];
  }

  async searchRuns(query: { experiment_ids: string[]; filter?: string; run_view_type: ViewType; max_results: number; order_by: string[]; page_token?: string }) {
    const comparisons = parseFilter(query.filter, RUN_SEARCH);
    const order = query.order_by.map((clause) => parseOrderBy(clause, RUN_SEARCH));
    const experiments = await Promise.all(query.experiment_ids.map((id) => this.experimentById(id)));
    const deleted = { ACTIVE_ONLY: { deleted: { $ne: true } }, DELETED_ONLY: { deleted: true }, ALL: {} }[query.run_view_type];
    const keys = experiments.map(experimentKeyOf);
    const withMetrics = await this.runsWithMetrics(keys, comparisons);
    const docs = await this.runsReadModel
      .find(
        withConditions({ experiment_name: { $in: keys }, ...deleted }, [
          ...storeConditions(comparisons, RUN_STORED_ATTRIBUTES),
          ...(withMetrics ? [{ _id: { $in: withMetrics.map(runStreamId) } }] : []),
        ]),
      )
      .sort({ start_time: -1, _id: 1 })
      .limit(SEARCH_SCAN_LIMIT)
      .toArray();
    const matching = docs.filter((run) => comparisons.every((c) => satisfies(runValue(run, c.entity, c.key), c)));
    // MLflow's default and tiebreak: newest first, then by run id.
    const tiebreak = (a: RunDocument, b: RunDocument) => (a.start_time === b.start_time ? (a.run_id < b.run_id ? -1 : 1) : a.start_time < b.start_time ? 1 : -1);
    matching.sort(compareBy(order, (run, c) => runValue(run, c.entity, c.key), tiebreak));
    const { page, next_page_token } = pageOf(matching, query.max_results, query.page_token);
    return { runs: page.map(toMlflowRun), ...(next_page_token ? { next_page_token } : {}) };
  }
}
