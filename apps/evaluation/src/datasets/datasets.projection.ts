import { CloudEvent, ColumnProfile, DatasetColumn, DatasetSourceType, featureStoreCatalog, Topics } from '@mlops/events';
import { Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';

/** What the evaluation service knows of one Feature Store dataset: enough to read it with DuckDB, and its profile (lineage). */
export interface KnownDatasetDocument extends ReadModelDocument {
  dataset_id: string;
  name: string;
  source_type: DatasetSourceType;
  path: string;
  table_name: string | null;
  schema: DatasetColumn[];
  row_count: number;
  size_bytes: number;
  content_sha256: string | null;
  profile: ColumnProfile[];
  registered_at: string;
  profiled_at: string;
}

export const knownDatasetId = (datasetId: string) => `dataset:${datasetId}`;

/** Read by `_id` alone (`knownDatasetId`). */
export const knownDatasetsSchema = readModelSchema('known_datasets', {
  dataset_id: String,
  name: String,
  source_type: String,
  path: String,
  table_name: String,
  schema: [Object],
  row_count: Number,
  size_bytes: Number,
  content_sha256: String,
  profile: [Object],
  registered_at: String,
  profiled_at: String,
});

/** The evaluation service's read model of datasets, fed by the feature-store topic. */
export const datasetsProjection: Projection<KnownDatasetDocument> = {
  name: 'known_datasets',
  topic: Topics.featureStore,
  streamType: 'dataset',
  schema: knownDatasetsSchema,
  evolve(current, event: CloudEvent<any>) {
    const data = event.data;
    switch (featureStoreCatalog.nameOf(event.type)) {
      case 'DatasetRegistered':
        return {
          dataset_id: data.id, name: data.name, source_type: data.source_type, path: data.path, table_name: data.table_name,
          schema: data.schema, row_count: data.row_count, size_bytes: data.size_bytes, content_sha256: data.content_sha256,
          profile: data.profile, registered_at: event.time, profiled_at: event.time,
        };
      case 'DatasetProfiled':
        return {
          ...current!, schema: data.schema, row_count: data.row_count, size_bytes: data.size_bytes,
          content_sha256: data.content_sha256, profile: data.profile, profiled_at: event.time,
        };
      case 'DatasetSchemaChanged':
        return { ...current!, schema: data.schema };
      default:
        return { ...current! };
    }
  },
};
