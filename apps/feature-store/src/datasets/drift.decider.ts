import { DatasetDriftComputedData, DatasetDriftEvent } from '@mlops/events';
import { conflict, Decider } from '@mlops/event-sourcing';

export type DriftReportCommand = { type: 'RecordDriftReport'; data: DatasetDriftComputedData };

export type DriftReportState = { exists: false } | { exists: true; report_id: string };

export const DRIFT_REPORT_STREAM_PREFIX = 'dataset_drift:';
export const driftReportStreamId = (reportId: string) => `${DRIFT_REPORT_STREAM_PREFIX}${reportId}`;

/** A report is a fact about two datasets at one moment: recorded once, never changed. */
export function decide(command: DriftReportCommand, state: DriftReportState): DatasetDriftEvent[] {
  switch (command.type) {
    case 'RecordDriftReport':
      if (state.exists) throw conflict(`Drift report ${command.data.report_id} already exists`);
      return [{ type: 'DatasetDriftComputed', data: command.data }];
  }
}

export function evolve(_state: DriftReportState, event: DatasetDriftEvent): DriftReportState {
  switch (event.type) {
    case 'DatasetDriftComputed':
      return { exists: true, report_id: event.data.report_id };
  }
}

export const initialState = (): DriftReportState => ({ exists: false });

export const driftReportDecider: Decider<DriftReportCommand, DatasetDriftEvent, DriftReportState> = {
  decide,
  evolve,
  initialState,
};
