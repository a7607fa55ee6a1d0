import fc from 'fast-check';
import { lifecycleCatalog, ModelEvent } from '@mlops/events';
import { replayCommands, snapshotDivergences } from '@mlops/event-sourcing';
import { missingRequiredItems, ModelCommand, modelDecider, ModelState, STAGES } from './model.decider';
import { modelsProjection } from './models.projection';

const RUN = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
const NOW = '2026-01-01T00:00:00.000Z';
const CHECKLIST = [
  { key: 'evaluation_passed', required: true },
  { key: 'bias_review', required: true },
  { key: 'owner_signoff', required: false },
];

const register: fc.Arbitrary<ModelCommand> = fc.record({
  type: fc.constant('RegisterModelVersion' as const),
  data: fc.record({
    model_name: fc.constant('churn'),
    run_id: fc.constant(RUN),
    run: fc.constantFrom({ params: [], metrics: [{ key: 'auc', value: 0.5 }] }, null),
    artifact_uri: fc.constant('s3://m'),
    description: fc.constant(''),
    tags: fc.constant([]),
    checklist: fc.constant(CHECKLIST),
    stage: fc.constantFrom('none' as const, 'staging' as const),
  }),
});
const update: fc.Arbitrary<ModelCommand> = fc.record({
  type: fc.constant('UpdateModelVersion' as const),
  data: fc.record(
    {
      model_name: fc.constant('churn'),
      version: fc.integer({ min: 1, max: 5 }),
      actor: fc.constantFrom('ana', 'bo'),
      now: fc.constant(NOW),
      description: fc.constantFrom('', 'x'),
      checklist: fc.uniqueArray(fc.record({ key: fc.constantFrom('evaluation_passed', 'bias_review', 'owner_signoff', 'legal'), checked: fc.boolean() }), {
        selector: (i) => i.key,
        minLength: 1,
        maxLength: 3,
      }),
      stage: fc.constantFrom(...STAGES),
    },
    { requiredKeys: ['model_name', 'version', 'actor', 'now'] },
  ),
});
const commands = fc.array(fc.oneof({ arbitrary: update, weight: 4 }, { arbitrary: register, weight: 1 }), { maxLength: 30 });

const target = { decider: modelDecider, projection: modelsProjection, catalog: lifecycleCatalog, subject: 'model:churn', time: NOW };
const play = (sequence: ModelCommand[], onDecided?: (before: ModelState, command: ModelCommand, events: ModelEvent[]) => void) =>
  replayCommands(target, sequence, { onDecided });

describe('model version rules hold for any command sequence', () => {
  it('numbers versions 1..n, keeps at most one in production, and only with every required item checked', () => {
    fc.assert(
      fc.property(commands, (sequence) => {
        const { state } = play(sequence, (before, command, events) => {
          if (command.type === 'RegisterModelVersion') expect((events[0].data as { version: number }).version).toBe(before.versions.length + 1);
        });
        expect(state.versions.map((v) => v.version)).toEqual(state.versions.map((_, i) => i + 1));
        const production = state.versions.filter((v) => v.stage === 'production');
        expect(production.length).toBeLessThanOrEqual(1);
        for (const v of production) expect(missingRequiredItems(v.checklist)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('the read model folded from the events agrees with the decider state', () => {
    fc.assert(
      fc.property(commands, (sequence) => {
        const { state, doc } = play(sequence);
        if (!state.versions.length) return expect(doc).toBeNull();
        expect(doc!.latest_version).toBe(state.versions.length);
        expect(
          doc!.versions.map(({ version, stage, description, checklist, metrics }) => ({ version, stage, description, checklist, metrics })),
        ).toEqual(state.versions.map(({ version, stage, description, checklist, metrics }) => ({ version, stage, description, checklist, metrics })));
      }),
      { numRuns: 500 },
    );
  });
});

describe('snapshots of the model state', () => {
  it('fold to the same state as the whole stream, wherever the snapshot was taken', () => {
    fc.assert(
      fc.property(commands, (sequence) => {
        const { log } = play(sequence);
        expect(snapshotDivergences(modelDecider, log)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
