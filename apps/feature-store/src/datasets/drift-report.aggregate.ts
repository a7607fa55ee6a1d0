import { defineAggregate } from '@mlops/event-sourcing';
import { driftReportDecider, driftReportStreamId } from './drift.decider';
import { driftReportsProjection } from './drift.projection';

/** One computed drift report: stream `dataset_drift:<id>`, read from the drift reports read model. */
export const driftReportAggregate = defineAggregate({
  decider: driftReportDecider,
  streamId: driftReportStreamId,
  projection: driftReportsProjection,
  describe: (reportId) => `Drift report ${reportId}`,
});
