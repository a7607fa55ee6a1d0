import { promptGovernanceCatalog, UsageEvent, UsageRecord } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { USAGE_RECORDS_COLLECTION, USAGE_ROLLUPS_COLLECTION, usageProjection, usageRecordId, usageRollupId } from './usage.projection';

const T = 'support-answer';
const records: UsageRecord[] = [
  { caller: 'web', environment: 'production', input_tokens: 10, output_tokens: 20, latency_ms: 100, cost: 0.5, outcome: 'success', timestamp: '2026-01-01T10:00:00.000Z' },
  { caller: 'web', environment: 'production', input_tokens: 5, output_tokens: 5, latency_ms: 300, cost: 0.25, outcome: 'error', timestamp: '2026-01-01T11:00:00.000Z' },
  { caller: 'batch', environment: 'staging', input_tokens: 1, output_tokens: 1, latency_ms: 50, cost: 0.1, outcome: 'success', timestamp: '2026-01-02T09:00:00.000Z' },
];
const ref = { sha256: 'd'.repeat(64), size_bytes: 300 };
/** The payload store, in memory: the batch's records by their sha256. */
const payloads = { get: async (sha256: string) => (sha256 === ref.sha256 ? records : Promise.reject(new Error(`no payload ${sha256}`))) };
const logged: UsageEvent = {
  type: 'UsageLogged',
  data: { template_id: T, version: 2, batch_id: 'b1', records_ref: ref, count: 3, error_count: 1, input_tokens: 16, output_tokens: 26, cost: 0.85, latency_ms_sum: 450 },
};
const STREAM = `usage:${T}|2|b1`;
const spec = ProjectionSpecification.for(usageProjection, promptGovernanceCatalog, { payloads });

describe('usage read model', () => {
  it('keeps a batch summary per usage stream, who logged it and when', async () => {
    await spec.givenStream(STREAM, { event: logged, by: 'gateway', at: '2026-01-02T12:00:00.000Z' }).then({
      version: 1,
      template_id: T,
      version_number: 2,
      batch_id: 'b1',
      count: 3,
      error_count: 1,
      input_tokens: 16,
      output_tokens: 26,
      cost: 0.85,
      logged_at: '2026-01-02T12:00:00.000Z',
      logged_by: 'gateway',
    });
  });

  it('derives one document per record and per-day rollups from the payload, with ids that re-deriving overwrites', async () => {
    const [recordWrite, rollupWrite] = await spec.givenStream(STREAM, logged).derived();
    expect(recordWrite).toMatchObject({ collection: USAGE_RECORDS_COLLECTION, insertOnly: true });
    expect(recordWrite.documents!.map((d) => [d._id, d.day, d.outcome])).toEqual([
      [usageRecordId(T, 2, records[0].timestamp, 'b1', 0), '2026-01-01', 'success'],
      [usageRecordId(T, 2, records[1].timestamp, 'b1', 1), '2026-01-01', 'error'],
      [usageRecordId(T, 2, records[2].timestamp, 'b1', 2), '2026-01-02', 'success'],
    ]);
    expect(rollupWrite).toMatchObject({ collection: USAGE_ROLLUPS_COLLECTION, insertOnly: true });
    expect(rollupWrite.documents!.every((d) => d._id.startsWith(usageRollupId(T, 2, d.day as string, 'b1', 0).slice(0, -4)))).toBe(true);
    expect(new Set(rollupWrite.documents!.map((d) => d.day))).toEqual(new Set(['2026-01-01', '2026-01-02']));
  });
});
