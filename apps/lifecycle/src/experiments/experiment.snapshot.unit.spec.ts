import fc from 'fast-check';
import { snapshotDivergences } from '@mlops/event-sourcing';
import { ExperimentEvent } from '@mlops/events';
import { experimentDecider } from './experiment.decider';

const name = fc.constant('churn');
const tags = fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 });
const event: fc.Arbitrary<ExperimentEvent> = fc.oneof(
  fc.record({ type: fc.constant('ExperimentCreated' as const), data: fc.record({ name, description: fc.string(), owner: fc.string(), tags }) }),
  fc.record({ type: fc.constant('ExperimentUpdated' as const), data: fc.record({ name, description: fc.string(), tags }, { requiredKeys: ['name'] }) }),
  fc.record({ type: fc.constant('ExperimentArchived' as const), data: fc.record({ name }) }),
  fc.record({ type: fc.constant('ExperimentRestored' as const), data: fc.record({ name }) }),
);

describe('snapshots of the experiment state', () => {
  it('fold to the same state as the whole stream, wherever the snapshot was taken', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (log) => {
        expect(snapshotDivergences(experimentDecider, log)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
