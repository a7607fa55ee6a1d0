import fc from 'fast-check';
import { snapshotDivergences } from '@mlops/event-sourcing';
import { ScenarioEvent } from '@mlops/events';
import { scenarioDecider } from './scenario.decider';

const name = fc.constant('churn-holdout');
/** The definition as events carry it; its exact content does not matter to the fold, its shape does. */
const definition = {
  description: fc.string(),
  tags: fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  cases: fc.jsonValue({ maxDepth: 2 }),
  labels: fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), { maxLength: 3 }),
  positive_label: fc.option(fc.string({ maxLength: 3 }), { nil: null }),
  metrics: fc.array(fc.constantFrom('accuracy', 'f1', 'mae'), { maxLength: 3 }),
  thresholds: fc.array(fc.record({ metric: fc.constantFrom('accuracy', 'f1'), op: fc.constantFrom('>=', '<='), value: fc.double({ noNaN: true, noDefaultInfinity: true }) }), { maxLength: 2 }),
  assertions: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 2 }),
};
const event = fc.oneof(
  fc.record({ type: fc.constant('ScenarioCreated' as const), data: fc.record({ name, task_type: fc.constantFrom('binary_classification', 'regression', 'text'), version: fc.constant(1), ...definition }) }),
  fc.record({ type: fc.constant('ScenarioVersionCreated' as const), data: fc.record({ name, version: fc.integer({ min: 2, max: 50 }), changed: fc.array(fc.constantFrom('tags', 'cases')), ...definition }) }),
) as unknown as fc.Arbitrary<ScenarioEvent>;

describe('snapshots of the scenario state', () => {
  it('fold to the same state as the whole stream, wherever the snapshot was taken', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), (log) => {
        expect(snapshotDivergences(scenarioDecider, log)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
