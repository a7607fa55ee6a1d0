import fc from 'fast-check';
import { snapshotDivergences } from '@mlops/event-sourcing';
import { DatasetEvent } from '@mlops/events';
import { datasetDecider } from './dataset.decider';

const id = fc.constant('trips');
const schema = fc.array(fc.record({ column: fc.constantFrom('fare', 'zone', 'at'), type: fc.constantFrom('DOUBLE', 'VARCHAR', 'TIMESTAMP') }), { maxLength: 3 });
const profile = {
  schema,
  row_count: fc.nat(),
  size_bytes: fc.nat(),
  content_sha256: fc.option(fc.string({ minLength: 8, maxLength: 8 }), { nil: null }),
  profile: fc.array(fc.record({ column: fc.string({ maxLength: 4 }), null_count: fc.nat(), min: fc.jsonValue({ maxDepth: 1 }) }), { maxLength: 2 }),
};
const event = fc.oneof(
  fc.record({
    type: fc.constant('DatasetRegistered' as const),
    data: fc.record({
      id,
      name: fc.string(),
      description: fc.string(),
      source_type: fc.constantFrom('csv', 'parquet', 'duckdb_table'),
      path: fc.string(),
      table_name: fc.option(fc.string(), { nil: null }),
      tags: fc.array(fc.string(), { maxLength: 2 }),
      ...profile,
    }),
  }),
  fc.record({ type: fc.constant('DatasetSchemaChanged' as const), data: fc.record({ id, added: schema, removed: schema, changed: fc.constant([]), schema }) }),
  fc.record({ type: fc.constant('DatasetProfiled' as const), data: fc.record({ id, ...profile }) }),
) as unknown as fc.Arbitrary<DatasetEvent>;

describe('snapshots of the dataset state', () => {
  it('fold to the same state as the whole stream, wherever the snapshot was taken', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (log) => {
        expect(snapshotDivergences(datasetDecider, log)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
