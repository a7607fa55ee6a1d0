import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ScenarioDefinition } from '@mlops/events';
import { BoundAggregate, CommandResult, EventSourcing, filterFrom, InjectAggregate, InjectReadModel, invalidState, notFound, Page, ReadModel } from '@mlops/event-sourcing';
import { SERVICE_CONFIG } from '@mlops/platform';
import { EvaluationConfig } from '../config';
import { datasetsProjection, KnownDatasetDocument, knownDatasetId } from '../datasets/datasets.projection';
import { KnownModelDocument, knownModelId, modelVersionsProjection } from '../model-versions/model-versions.projection';
import { CasesPayload } from '../scenarios/scenario-cases';
import { scenarioAggregate } from '../scenarios/scenario.aggregate';
import { findScenarioVersion, latestVersion } from '../scenarios/scenario.decider';
import { lookUpWithGrace } from '../upstream';
import { loadDatasetCases } from './cases-loader';
import { EvaluationReport } from './evaluate';
import { parsePredictions } from './predictions';
import { evaluationRunAggregate } from './evaluation-run.aggregate';
import { ListRunsQueryDto, QueueRunDto } from './runs.dto';
import { EvaluationRunDocument } from './runs.projection';

export type RunCommandResult = CommandResult<EvaluationRunDocument> & { runId: string };

export interface ReportContext {
  run: EvaluationRunDocument;
  report: EvaluationReport;
  scenario: { name: string; version: number; definition: ScenarioDefinition; created_at: string | null; created_by: string | null };
  model: KnownModelDocument['versions'][number] | null;
  dataset: KnownDatasetDocument | null;
}

@Injectable()
export class RunsService {
  constructor(
    @InjectAggregate(evaluationRunAggregate) private readonly runs: BoundAggregate<typeof evaluationRunAggregate>,
    @InjectAggregate(scenarioAggregate) private readonly scenarios: BoundAggregate<typeof scenarioAggregate>,
    @InjectReadModel(modelVersionsProjection) private readonly knownModels: ReadModel<KnownModelDocument>,
    @InjectReadModel(datasetsProjection) private readonly knownDatasets: ReadModel<KnownDatasetDocument>,
    private readonly eventSourcing: EventSourcing,
    @Inject(SERVICE_CONFIG) private readonly config: EvaluationConfig,
  ) {}

  private async knownModelVersion(modelName: string, version: number) {
    const model = await this.knownModels.findById(knownModelId(modelName));
    return model?.versions.find((v) => v.version === version) ?? null;
  }

  private knownDataset(datasetId: string) {
    return this.knownDatasets.findById(knownDatasetId(datasetId));
  }

  /** Validates everything, stores cases and predictions by content, and appends `run.queued`; the worker does the rest. */
  async queue(dto: QueueRunDto): Promise<RunCommandResult> {
    const { state } = await this.scenarios.load(dto.scenario_name);
    if (!state.exists) throw notFound(`Scenario ${dto.scenario_name} does not exist`);
    const scenario = dto.scenario_version === undefined ? latestVersion(state) : findScenarioVersion(state, dto.scenario_version);
    if (!scenario) throw notFound(`Scenario ${dto.scenario_name} has no version ${dto.scenario_version}`);
    const model = await lookUpWithGrace(() => this.knownModelVersion(dto.model_name, dto.model_version), this.config.EVALUATION_UPSTREAM_GRACE_MS);
    if (!model) {
      throw notFound(`Model ${dto.model_name} has no version ${dto.model_version} (model versions are known from the lifecycle events)`);
    }
    const task = state.task_type!;
    const source = scenario.definition.cases;
    let cases: CasesPayload;
    let dataset: { dataset_id: string; row_count: number; content_sha256: string | null } | null = null;
    if (source.source === 'inline') {
      cases = await this.eventSourcing.payloads.get<CasesPayload>(source.payload.sha256);
    } else {
      const known = await this.knownDataset(source.dataset_id);
      if (!known) throw invalidState(`Dataset ${source.dataset_id} is no longer known`);
      cases = await loadDatasetCases(task, source, known, this.config.EVALUATION_DATA_ROOT, this.config.EVALUATION_MAX_CASES);
      dataset = { dataset_id: known.dataset_id, row_count: cases.ids.length, content_sha256: known.content_sha256 };
    }
    const predictions = parsePredictions(task, scenario.definition, cases, dto.predictions);
    const [casesRef, predictionsRef] = [await this.eventSourcing.payloads.put(cases), await this.eventSourcing.payloads.put(predictions)];
    const runId = randomUUID();
    const { version, doc } = await this.runs.execute(runId, {
      type: 'QueueRun',
      data: {
        run_id: runId, scenario_name: dto.scenario_name, scenario_version: scenario.version, task_type: task,
        model_name: dto.model_name, model_version: dto.model_version, cases: casesRef, case_count: cases.ids.length,
        predictions: predictionsRef, dataset, has_attributions: predictions.attributions !== null,
        model_at_queue: { stage: model.stage, artifact_uri: model.artifact_uri, run_id: model.run_id, registered_at: model.registered_at, registered_by: model.registered_by },
      },
    });
    return { version, doc, runId };
  }

  get(runId: string): Promise<EvaluationRunDocument> {
    return this.runs.get(runId);
  }

  list(query: ListRunsQueryDto): Promise<Page<EvaluationRunDocument>> {
    return this.runs.page(filterFrom(query, { scenario_name: 'scenario_name', status: 'status', model_name: 'model_name', model_version: 'model_version' }), query);
  }

  /** The stored report with what the report's compliance section needs: scenario version, model version and dataset as known here. */
  async report(runId: string): Promise<ReportContext> {
    const run = await this.get(runId);
    if (run.status === 'failed') throw invalidState(`Evaluation run ${runId} failed: ${run.failure_reason}`);
    if (run.status !== 'completed' || !run.report_ref) throw invalidState(`Evaluation run ${runId} is ${run.status}; its report exists once it completes`);
    const report = await this.eventSourcing.payloads.get<EvaluationReport>(run.report_ref.sha256);
    const { state } = await this.scenarios.load(run.scenario_name);
    const version = findScenarioVersion(state, run.scenario_version)!;
    const scenarioDoc = await this.scenarios.find(run.scenario_name);
    const stamp = scenarioDoc?.versions.find((v) => v.version === run.scenario_version);
    const datasetId = version.definition.cases.source === 'dataset' ? version.definition.cases.dataset_id : null;
    return {
      run,
      report,
      scenario: { name: run.scenario_name, version: run.scenario_version, definition: version.definition, created_at: stamp?.created_at ?? null, created_by: stamp?.created_by ?? null },
      model: await this.knownModelVersion(run.model_name, run.model_version),
      dataset: datasetId ? await this.knownDataset(datasetId) : null,
    };
  }
}
