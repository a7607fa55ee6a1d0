import { DatasetDriftComputedData, DatasetDriftEvent, featureStoreCatalog } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { driftReportsProjection } from './drift.projection';

const report: DatasetDriftComputedData = {
  report_id: 'r1',
  dataset_id: 'trips_june',
  reference_dataset_id: 'trips_may',
  dataset_sha256: 'a'.repeat(64),
  reference_sha256: null,
  dataset_rows: 120,
  reference_rows: 100,
  columns: [
    {
      column: 'fare',
      type: 'DOUBLE',
      kind: 'numerical',
      method: 'ks',
      statistic: 0.4,
      p_value: 0.001,
      distance: null,
      threshold: 0.05,
      drifted: true,
      reference_count: 100,
      current_count: 120,
    },
  ],
  number_of_columns: 1,
  number_of_drifted_columns: 1,
  share_of_drifted_columns: 1,
  drift_share: 0.5,
  dataset_drift: true,
};
const computed: DatasetDriftEvent = { type: 'DatasetDriftComputed', data: report };

const spec = ProjectionSpecification.for(driftReportsProjection, featureStoreCatalog);

describe('drift reports read model', () => {
  it('keeps the report as computed, with who computed it and when', async () => {
    await spec
      .givenStream('dataset_drift:r1', { event: computed, at: '2026-06-02T10:00:00.000Z', by: 'drift-job' })
      .then({ version: 1, ...report, computed_at: '2026-06-02T10:00:00.000Z', computed_by: 'drift-job' });
  });

  it('keeps one document per report stream', async () => {
    const documents = await spec
      .given(
        { stream: 'dataset_drift:r1', event: computed },
        { stream: 'dataset_drift:r2', event: { type: 'DatasetDriftComputed', data: { ...report, report_id: 'r2', dataset_drift: false } } },
      )
      .documents();
    expect([...documents.keys()]).toEqual(['dataset_drift:r1', 'dataset_drift:r2']);
    expect(documents.get('dataset_drift:r2')).toMatchObject({ report_id: 'r2', dataset_drift: false, version: 1 });
  });
});
