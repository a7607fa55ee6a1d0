import { Inject, Injectable } from '@nestjs/common';
import type { DatasetColumn, DatasetProfileData } from '@mlops/events';
import { BoundAggregate, CommandResult, conflict, DomainError, filterFrom, InjectAggregate, invalidInput, invalidState, notFound, Page } from '@mlops/event-sourcing';
import { SERVICE_CONFIG } from '@mlops/platform';
import type { FeatureStoreConfig } from '../config';
import { resolveDataPath } from './data-root';
import { datasetAggregate } from './dataset.aggregate';
import { DatasetState } from './dataset.decider';
import { ListDatasetsQueryDto, RegisterDatasetDto } from './datasets.dto';
import { DatasetDocument } from './datasets.projection';
import { DatasetLocation, DuckDbProfiler } from './duckdb-profiler';

type Registered = Extract<DatasetState, { exists: true }>;

/** A profile travels in one event, which must stay well under Kafka's 1 MB default message size. */
export const MAX_PROFILE_BYTES = 768 * 1024;

function fitsInAnEvent(measured: DatasetProfileData): DatasetProfileData {
  const bytes = Buffer.byteLength(JSON.stringify(measured));
  if (bytes > MAX_PROFILE_BYTES) {
    throw invalidState(
      `The profile of ${measured.schema.length} columns takes ${bytes} bytes, over the ${MAX_PROFILE_BYTES} bytes one event may carry; register a projection of fewer columns`,
    );
  }
  return measured;
}

@Injectable()
export class DatasetsService {
  constructor(
    @InjectAggregate(datasetAggregate) private readonly datasets: BoundAggregate<typeof datasetAggregate>,
    private readonly profiler: DuckDbProfiler,
    @Inject(SERVICE_CONFIG) private readonly config: FeatureStoreConfig,
  ) {}

  /** Resolves the path (400 outside the data root), refuses a taken name (409), profiles with DuckDB (422 when it cannot read), then appends. */
  async register(dto: RegisterDatasetDto): Promise<CommandResult<DatasetDocument>> {
    const isTable = dto.source_type === 'duckdb_table';
    if (!isTable && dto.table_name !== undefined) {
      throw invalidInput('table_name applies to duckdb_table only', [{ field: 'table_name', message: `not allowed for ${dto.source_type}` }]);
    }
    const dataPath = await resolveDataPath(this.config.FEATURE_STORE_DATA_ROOT, dto.path ?? this.config.FEATURE_STORE_DUCKDB_PATH);
    const existing = await this.writeSide(dto.name);
    if (existing) throw conflict(`Dataset ${dto.name} already exists`);
    const table_name = isTable ? dto.table_name! : null;
    const measured = fitsInAnEvent(
      await this.profiler.profile({ source_type: dto.source_type, absolutePath: dataPath.absolute, root: dataPath.root, table_name }),
    );
    return this.datasets.execute(dto.name, {
      type: 'RegisterDataset',
      data: {
        id: dto.name,
        name: dto.name,
        description: dto.description ?? '',
        source_type: dto.source_type,
        path: dataPath.relative,
        table_name,
        tags: dto.tags ?? [],
        ...measured,
      },
    });
  }

  /** Re-profiles the dataset where it was registered; a changed schema is recorded as such in the same commit. */
  async refresh(id: string, ifMatch?: number): Promise<CommandResult<DatasetDocument>> {
    const dataset = await this.writeSide(id);
    if (!dataset) throw notFound(`Dataset ${id} does not exist`);
    const measured = fitsInAnEvent(await this.profiler.profile(await this.locate(dataset)));
    return this.datasets.execute(id, { type: 'RefreshDataset', data: { id, measured } }, { ifMatch });
  }

  get(id: string): Promise<DatasetDocument> {
    return this.datasets.get(id);
  }

  list(query: ListDatasetsQueryDto): Promise<Page<DatasetDocument>> {
    return this.datasets.page(filterFrom(query, { source_type: 'source_type', tag: 'tags' }), query);
  }

  /** A dataset as the write side knows it (for feature sources): its current columns and where DuckDB reads it; null when not registered. */
  async source(id: string): Promise<{ schema: DatasetColumn[]; location: DatasetLocation } | null> {
    const dataset = await this.writeSide(id);
    return dataset ? { schema: dataset.schema, location: await this.locate(dataset) } : null;
  }

  private async writeSide(id: string): Promise<Registered | null> {
    const { state } = await this.datasets.load(id);
    return state.exists ? state : null;
  }

  /** Where the registered dataset is now; a file whose links have since been pointed out of the data root is refused. */
  private async locate(dataset: Registered): Promise<DatasetLocation> {
    try {
      const dataPath = await resolveDataPath(this.config.FEATURE_STORE_DATA_ROOT, dataset.path);
      return { source_type: dataset.source_type, absolutePath: dataPath.absolute, root: dataPath.root, table_name: dataset.table_name };
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'invalid_input') {
        throw invalidState(`Dataset ${dataset.id} no longer resolves inside the data root: ${error.message}`);
      }
      throw error;
    }
  }
}
