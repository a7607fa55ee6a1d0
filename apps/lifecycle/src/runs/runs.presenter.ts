import { LIFECYCLE_API } from '../routes';
import type { RunDto } from './runs.dto';
import type { HistoryPoint, RunDocument } from './runs.projection';

// metric_buckets is the projection's own bookkeeping.
export const presentRun = ({ _id, metric_buckets: _buckets, ...run }: RunDocument): RunDto => run;
export const presentPoint = ({ step, value, timestamp }: HistoryPoint) => ({ step, value, timestamp });
export const runLocation = (runId: string) => `/${LIFECYCLE_API}/runs/${encodeURIComponent(runId)}`;
