import { CloudEvent, ColumnProfile, DatasetColumn, DatasetEvent, DatasetSourceType, featureStoreCatalog, Topics } from '@mlops/events';
import { Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';

export interface SchemaChangeView {
  added: DatasetColumn[];
  removed: DatasetColumn[];
  retyped: { column: string; from: string; to: string }[];
  changed_at: string;
}

/** One document per dataset stream (`_id` dataset:<id>); everything from the events, so a replay rebuilds it. */
export interface DatasetDocument extends ReadModelDocument {
  id: string;
  name: string;
  description: string;
  source_type: DatasetSourceType;
  path: string;
  table_name: string | null;
  tags: string[];
  schema: DatasetColumn[];
  row_count: number;
  size_bytes: number;
  content_sha256: string | null;
  profile: ColumnProfile[];
  profiled_at: string;
  last_schema_change: SchemaChangeView | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** The list filters, each with `_id` for the keyset page (findPage). */
export const datasetsSchema = readModelSchema('datasets', {
  id: String,
  name: String,
  description: String,
  source_type: String,
  path: String,
  table_name: String,
  tags: [String],
  schema: [Object],
  row_count: Number,
  size_bytes: Number,
  content_sha256: String,
  profile: [Object],
  profiled_at: String,
  last_schema_change: Object,
  created_at: String,
  created_by: String,
  updated_at: String,
  updated_by: String,
});
datasetsSchema.index({ source_type: 1, _id: 1 }, { name: 'source_type_id' });
datasetsSchema.index({ tags: 1, _id: 1 }, { name: 'tags_id' });

export const datasetsProjection: Projection<DatasetDocument> = {
  name: 'datasets',
  topic: Topics.featureStore,
  streamType: 'dataset',
  schema: datasetsSchema,
  evolve(current, event: CloudEvent<any>) {
    const touched = { updated_at: event.time, updated_by: event.actor };
    const e = { type: featureStoreCatalog.nameOf(event.type), data: event.data } as DatasetEvent;
    switch (e.type) {
      case 'DatasetRegistered':
        return {
          ...e.data,
          profiled_at: event.time,
          last_schema_change: null,
          created_at: event.time,
          created_by: event.actor,
          ...touched,
        };
      case 'DatasetSchemaChanged': {
        const { added, removed, retyped, schema } = e.data;
        return { ...current!, schema, last_schema_change: { added, removed, retyped, changed_at: event.time }, ...touched };
      }
      case 'DatasetProfiled': {
        const { id: _id, ...measured } = e.data;
        return { ...current!, ...measured, profiled_at: event.time, ...touched };
      }
    }
  },
};
