import { CloudEvent, DatasetDriftComputedData, DatasetDriftEvent, featureStoreCatalog, Topics } from '@mlops/events';
import { Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';

/** One document per report stream (`_id` dataset_drift:<report_id>). */
export interface DriftReportDocument extends ReadModelDocument, DatasetDriftComputedData {
  computed_at: string;
  computed_by: string;
}

/** Read by `_id` alone (a report of a dataset). */
export const driftReportsSchema = readModelSchema('dataset_drift_reports', {
  report_id: String,
  dataset_id: String,
  reference_dataset_id: String,
  dataset_sha256: String,
  reference_sha256: String,
  dataset_rows: Number,
  reference_rows: Number,
  columns: [Object],
  number_of_columns: Number,
  number_of_drifted_columns: Number,
  share_of_drifted_columns: Number,
  drift_share: Number,
  dataset_drift: Boolean,
  computed_at: String,
  computed_by: String,
});

export const driftReportsProjection: Projection<DriftReportDocument> = {
  name: 'dataset_drift_reports',
  topic: Topics.featureStore,
  streamType: 'dataset_drift',
  schema: driftReportsSchema,
  evolve(_current, event: CloudEvent<any>) {
    const e = { type: featureStoreCatalog.nameOf(event.type), data: event.data } as DatasetDriftEvent;
    switch (e.type) {
      case 'DatasetDriftComputed':
        return { ...e.data, computed_at: event.time, computed_by: event.actor };
    }
  },
};
