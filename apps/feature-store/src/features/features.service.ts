import { Injectable } from '@nestjs/common';
import type { DatasetColumn, FeatureEvent, FeatureSchema, FeatureSource, FeatureValueType } from '@mlops/events';
import { BoundAggregate, CommandResult, ExecuteOptions, filterFrom, InjectAggregate, invalidInput, invalidState, notFound, Page } from '@mlops/event-sourcing';
import { commandMetadata, ListQueryDto } from '@mlops/platform';
import { DatasetsService } from '../datasets/datasets.service';
import { DuckDbProfiler } from '../datasets/duckdb-profiler';
import { featureAggregate } from './feature.aggregate';
import { FeatureCommand } from './feature.decider';
import { sourceTypeErrors } from './feature-definition';
import { CreateFeatureDto, CreateFeatureVersionDto, FeatureSchemaDto, FeatureSourceDto, ListFeaturesQueryDto, UpdateFeatureDto } from './features.dto';
import { FEATURE_VERSIONS_COLLECTION, FeatureDocument, FeatureVersionDocument, featureVersionId } from './features.projection';

export type FeatureCommandResult = CommandResult<FeatureDocument> & { name: string; featureVersion: number };

const toSchema = (dto: FeatureSchemaDto | undefined): FeatureSchema => ({
  nullable: dto?.nullable ?? true,
  min: dto?.min ?? null,
  max: dto?.max ?? null,
  allowed_values: dto?.allowed_values ?? null,
});

function toSource(dto: FeatureSourceDto): FeatureSource {
  if (dto.kind === 'column') {
    if (dto.expression !== undefined) throw invalidInput('A column source takes no expression', [{ field: 'source.expression', message: 'only for kind sql' }]);
    return { kind: 'column', dataset_id: dto.dataset_id, column: dto.column! };
  }
  if (dto.column !== undefined) throw invalidInput('A sql source takes no column', [{ field: 'source.column', message: 'only for kind column' }]);
  return { kind: 'sql', dataset_id: dto.dataset_id, expression: dto.expression! };
}

@Injectable()
export class FeaturesService {
  constructor(
    @InjectAggregate(featureAggregate) private readonly features: BoundAggregate<typeof featureAggregate>,
    private readonly datasets: DatasetsService,
    private readonly profiler: DuckDbProfiler,
  ) {}

  private get versions() {
    return this.features.readModel.derived<FeatureVersionDocument>(FEATURE_VERSIONS_COLLECTION);
  }

  async create(dto: CreateFeatureDto): Promise<FeatureCommandResult> {
    const metadata = commandMetadata();
    const source = toSource(dto.source);
    return this.execute(
      dto.name,
      {
        type: 'CreateFeature',
        data: {
          name: dto.name,
          description: dto.description ?? '',
          entity: dto.entity,
          owner: dto.owner ?? metadata.actor,
          tags: dto.tags ?? [],
          value_type: dto.value_type,
          schema: toSchema(dto.schema),
          source,
          changelog: dto.changelog ?? 'Initial version',
          dataset_schema: await this.datasetSchema(source, dto.value_type),
        },
      },
      { metadata },
    );
  }

  async createVersion(name: string, dto: CreateFeatureVersionDto): Promise<FeatureCommandResult> {
    const { state } = await this.features.load(name);
    if (!state.exists) throw notFound(`Feature ${name} does not exist`);
    const source = dto.source ? toSource(dto.source) : undefined;
    return this.execute(name, {
      type: 'CreateFeatureVersion',
      data: {
        name,
        value_type: dto.value_type,
        schema: dto.schema ? toSchema(dto.schema) : undefined,
        source,
        changelog: dto.changelog,
        dataset_schema: await this.datasetSchema(source ?? state.definition.source, dto.value_type ?? state.definition.value_type),
      },
    });
  }

  async update(name: string, dto: UpdateFeatureDto, ifMatch?: number): Promise<FeatureCommandResult> {
    if (dto.reason !== undefined && dto.status !== 'deprecated') {
      throw invalidInput('reason goes with status deprecated', [{ field: 'reason', message: 'only when deprecating' }]);
    }
    return this.execute(name, { type: 'UpdateFeature', data: { name, ...dto } }, { ifMatch });
  }

  async deprecate(name: string, reason: string | undefined, ifMatch?: number): Promise<FeatureCommandResult> {
    return this.execute(name, { type: 'DeprecateFeature', data: { name, reason: reason ?? '' } }, { ifMatch });
  }

  get(name: string): Promise<FeatureDocument> {
    return this.features.get(name);
  }

  list(query: ListFeaturesQueryDto): Promise<Page<FeatureDocument>> {
    return this.features.page(filterFrom(query, { entity: 'entity', owner: 'owner', tag: 'tags', status: 'status' }), query);
  }

  /** Version history, oldest first. */
  async history(name: string, query: ListQueryDto): Promise<Page<FeatureVersionDocument>> {
    await this.get(name);
    return this.versions.page({ name }, query);
  }

  async version(name: string, version: number): Promise<FeatureVersionDocument> {
    const doc = await this.versions.findById(featureVersionId(name, version));
    if (!doc) throw notFound(`Feature ${name} has no version ${version}`);
    return doc;
  }

  /**
   * The source dataset's current columns as the write side knows them (null when not registered);
   * a SQL expression must also bind in DuckDB against the dataset (422 with DuckDB's reason) to a type
   * the feature can hold (422). A column's type is checked by the decider.
   */
  private async datasetSchema(source: FeatureSource, valueType: FeatureValueType): Promise<DatasetColumn[] | null> {
    const dataset = await this.datasets.source(source.dataset_id);
    if (dataset && source.kind === 'sql') {
      const problems = sourceTypeErrors(valueType, await this.profiler.expressionType(dataset.location, source.expression), 'source.expression');
      if (problems.length) throw invalidState(problems[0].message, problems);
    }
    return dataset?.schema ?? null;
  }

  private async execute(name: string, command: FeatureCommand, options: ExecuteOptions = {}): Promise<FeatureCommandResult> {
    const result = await this.features.execute(name, command, options);
    const created = result.events.find((e): e is Extract<FeatureEvent, { type: 'FeatureCreated' | 'FeatureVersionCreated' }> =>
      e.type === 'FeatureCreated' || e.type === 'FeatureVersionCreated',
    );
    return { version: result.version, doc: result.doc, name, featureVersion: created?.data.version ?? result.doc?.latest_version.version ?? 0 };
  }
}
