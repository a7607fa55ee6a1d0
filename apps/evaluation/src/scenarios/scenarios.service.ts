import { Inject, Injectable } from '@nestjs/common';
import type { EvaluationTaskType, ScenarioCasesSource, ScenarioDefinition, ScenarioLabel } from '@mlops/events';
import { BoundAggregate, CommandResult, EventSourcing, filterFrom, InjectAggregate, InjectReadModel, invalidInput, notFound, Page, ReadModel } from '@mlops/event-sourcing';
import { SERVICE_CONFIG } from '@mlops/platform';
import { EvaluationConfig } from '../config';
import { datasetsProjection, KnownDatasetDocument, knownDatasetId } from '../datasets/datasets.projection';
import { lookUpWithGrace } from '../upstream';
import { parseInlineCases } from './scenario-cases';
import { classesOf, DEFAULT_METRICS, isClassification, positiveOf, thresholdsFromMap } from './scenario-definition';
import { scenarioAggregate } from './scenario.aggregate';
import { latestVersion } from './scenario.decider';
import { CreateScenarioDto, DatasetCasesDto, ListScenariosQueryDto, UpdateScenarioDto } from './scenarios.dto';
import { ScenarioDocument } from './scenarios.projection';

@Injectable()
export class ScenariosService {
  constructor(
    @InjectAggregate(scenarioAggregate) private readonly scenarios: BoundAggregate<typeof scenarioAggregate>,
    @InjectReadModel(datasetsProjection) private readonly knownDatasets: ReadModel<KnownDatasetDocument>,
    private readonly eventSourcing: EventSourcing,
    @Inject(SERVICE_CONFIG) private readonly config: EvaluationConfig,
  ) {}

  async create(dto: CreateScenarioDto): Promise<CommandResult<ScenarioDocument>> {
    if ((dto.cases === undefined) === (dto.dataset === undefined)) {
      throw invalidInput('Give either inline cases or a dataset', [{ field: 'cases', message: 'exactly one of cases and dataset' }]);
    }
    const { cases, expected } = await this.casesSource(dto.task_type, dto);
    const labels = isClassification(dto.task_type) ? classesOf(dto.labels ?? [], expected) : (dto.labels ?? []);
    const definition: ScenarioDefinition = {
      description: dto.description ?? '',
      tags: dto.tags ?? [],
      cases: cases!,
      labels,
      positive_label: dto.task_type === 'binary_classification' ? positiveOf(labels, dto.positive_label ?? null) : (dto.positive_label ?? null),
      metrics: dto.metrics ?? DEFAULT_METRICS[dto.task_type],
      thresholds: thresholdsFromMap(dto.thresholds ?? {}),
      assertions: dto.assertions ?? [],
    };
    return this.scenarios.execute(dto.name, { type: 'CreateScenario', data: { name: dto.name, task_type: dto.task_type, definition } });
  }

  async update(name: string, dto: UpdateScenarioDto, ifMatch?: number): Promise<CommandResult<ScenarioDocument>> {
    if (dto.cases !== undefined && dto.dataset !== undefined) {
      throw invalidInput('Give either inline cases or a dataset', [{ field: 'cases', message: 'at most one of cases and dataset' }]);
    }
    const { state } = await this.scenarios.load(name);
    if (!state.exists) throw notFound(`Scenario ${name} does not exist`);
    const task = state.task_type!;
    const current = latestVersion(state).definition;
    const { cases, expected } = await this.casesSource(task, dto);
    const changes: Partial<ScenarioDefinition> = {};
    if (dto.description !== undefined) changes.description = dto.description;
    if (dto.tags !== undefined) changes.tags = dto.tags;
    if (cases) changes.cases = cases;
    if (dto.metrics !== undefined) changes.metrics = dto.metrics;
    if (dto.thresholds !== undefined) changes.thresholds = thresholdsFromMap(dto.thresholds);
    if (dto.assertions !== undefined) changes.assertions = dto.assertions;
    if (dto.labels !== undefined || cases) {
      changes.labels = isClassification(task) ? classesOf([...(dto.labels ?? []), ...(cases ? [] : current.labels)], expected) : (dto.labels ?? []);
    }
    if (dto.positive_label !== undefined) changes.positive_label = dto.positive_label;
    else if (task === 'binary_classification' && changes.labels) changes.positive_label = positiveOf(changes.labels, current.positive_label);
    return this.scenarios.execute(name, { type: 'ChangeScenario', data: { name, changes } }, { ifMatch });
  }

  get(name: string): Promise<ScenarioDocument> {
    return this.scenarios.get(name);
  }

  list(query: ListScenariosQueryDto): Promise<Page<ScenarioDocument>> {
    return this.scenarios.page(filterFrom(query, { task_type: 'task_type', tag: 'tags' }), query);
  }

  /** Inline cases go to the payload store (the event carries the reference); a dataset is checked against the local read model. */
  private async casesSource(
    task: EvaluationTaskType,
    dto: { cases?: unknown[]; dataset?: DatasetCasesDto },
  ): Promise<{ cases?: ScenarioCasesSource; expected: ScenarioLabel[] }> {
    if (dto.cases !== undefined) {
      const payload = parseInlineCases(task, dto.cases, this.config.EVALUATION_MAX_CASES);
      const ref = await this.eventSourcing.payloads.put(payload);
      const expected = payload.expected.filter((v): v is ScenarioLabel => v !== null);
      return { cases: { source: 'inline', payload: ref, case_count: payload.ids.length, slice_keys: payload.slice_keys }, expected };
    }
    if (dto.dataset !== undefined) {
      const d = dto.dataset;
      const dataset = await lookUpWithGrace(() => this.knownDatasets.findById(knownDatasetId(d.dataset_id)), this.config.EVALUATION_UPSTREAM_GRACE_MS);
      if (!dataset) throw notFound(`Dataset ${d.dataset_id} is not registered in the Feature Store`);
      const columns = new Set(dataset.schema.map((c) => c.column));
      const wanted = [d.label_column, ...(d.id_column ? [d.id_column] : []), ...(d.input_columns ?? []), ...(d.slice_columns ?? [])];
      const missing = wanted.filter((c) => !columns.has(c));
      if (missing.length) {
        throw invalidInput(`Dataset ${d.dataset_id} has no column ${missing.join(', ')}`, missing.map((c) => ({ field: 'dataset', message: `no column ${c}` })));
      }
      return {
        cases: {
          source: 'dataset', dataset_id: d.dataset_id, label_column: d.label_column, id_column: d.id_column ?? null,
          input_columns: d.input_columns ?? [], slice_columns: d.slice_columns ?? [],
          dataset_row_count: dataset.row_count, dataset_content_sha256: dataset.content_sha256,
        },
        expected: [],
      };
    }
    return { expected: [] };
  }
}
