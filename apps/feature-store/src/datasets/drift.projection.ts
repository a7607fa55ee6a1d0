import { CloudEvent, DatasetDriftComputedData, DatasetDriftEvent, featureStoreCatalog, Topics } from '@mlops/events';
import { Projection, ReadModelDocument } from '@mlops/event-sourcing';

/** One document per report stream (`_id` dataset_drift:<report_id>). */
export interface DriftReportDocument extends ReadModelDocument, DatasetDriftComputedData {
  computed_at: string;
  computed_by: string;
}

export const driftReportsProjection: Projection<DriftReportDocument> = {
  name: 'dataset_drift_reports',
  topic: Topics.featureStore,
  streamType: 'dataset_drift',
  evolve(_current, event: CloudEvent<any>) {
    const e = { type: featureStoreCatalog.nameOf(event.type), data: event.data } as DatasetDriftEvent;
    switch (e.type) {
      case 'DatasetDriftComputed':
        return { ...e.data, computed_at: event.time, computed_by: event.actor };
    }
  },
};
