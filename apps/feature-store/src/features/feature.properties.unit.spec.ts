import fc from 'fast-check';
import { replayCommands, snapshotDivergences } from '@mlops/event-sourcing';
import { EventValidator, FEATURE_VALUE_TYPES, FeatureSchema, featureStoreCatalog } from '@mlops/events';
import { FeatureCommand, featureDecider } from './feature.decider';
import { featuresProjection } from './features.projection';

const COLUMNS = [
  { column: 'fare', type: 'DOUBLE' },
  { column: 'zone', type: 'VARCHAR' },
];
const NOW = '2026-01-01T00:00:00.000Z';

const schema: fc.Arbitrary<FeatureSchema> = fc.record({
  nullable: fc.boolean(),
  min: fc.constantFrom(null, 0, 5),
  max: fc.constantFrom(null, 10, 100),
  allowed_values: fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: fc.constantFrom<(string | number | boolean)[]>([1, 2], [1, 2, 3], ['a'], [true]), weight: 1 }),
});
const source = fc.oneof(
  fc.record({ kind: fc.constant('column' as const), dataset_id: fc.constant('trips'), column: fc.constantFrom('fare', 'fare', 'zone', 'tip') }),
  fc.record({ kind: fc.constant('sql' as const), dataset_id: fc.constant('trips'), expression: fc.constantFrom('fare * 2', 'length(zone)') }),
);
// Mostly numeric types, so most generated schemas fit and most commands get through to events.
const valueType = fc.oneof(
  { arbitrary: fc.constantFrom('int32' as const, 'int64' as const, 'float' as const, 'double' as const, 'list<double>' as const), weight: 4 },
  { arbitrary: fc.constantFrom(...FEATURE_VALUE_TYPES), weight: 1 },
);

const create: fc.Arbitrary<FeatureCommand> = fc.record({
  type: fc.constant('CreateFeature' as const),
  data: fc.record({
    name: fc.constant('trip_fare'),
    description: fc.constant(''),
    entity: fc.constant('trip_id'),
    owner: fc.constantFrom('ana', 'bo'),
    tags: fc.constant([]),
    value_type: valueType,
    schema,
    source,
    changelog: fc.constant('first'),
    dataset_schema: fc.constantFrom(COLUMNS, COLUMNS, COLUMNS, null),
  }),
});
const version: fc.Arbitrary<FeatureCommand> = fc.record({
  type: fc.constant('CreateFeatureVersion' as const),
  data: fc.record(
    { name: fc.constant('trip_fare'), value_type: valueType, schema, source, changelog: fc.constant('next'), dataset_schema: fc.constant(COLUMNS) },
    { requiredKeys: ['name', 'changelog', 'dataset_schema'] },
  ),
});
const update: fc.Arbitrary<FeatureCommand> = fc.record({
  type: fc.constant('UpdateFeature' as const),
  data: fc.record({ name: fc.constant('trip_fare'), owner: fc.constantFrom('ana', 'bo'), status: fc.constantFrom('active' as const, 'deprecated' as const) }, { requiredKeys: ['name'] }),
});
// Most sequences open with a create, so versions, deprecations and their rejections all get exercised.
const commands = fc
  .tuple(fc.option(create, { freq: 5, nil: undefined }), fc.array(fc.oneof({ arbitrary: version, weight: 4 }, { arbitrary: create, weight: 2 }, { arbitrary: update, weight: 2 }), { maxLength: 30 }))
  .map(([first, rest]) => (first ? [first, ...rest] : rest));

const target = { decider: featureDecider, projection: featuresProjection, catalog: featureStoreCatalog, subject: 'feature:trip_fare', time: NOW };

describe('feature decider properties', () => {
  const validator = new EventValidator([featureStoreCatalog]);

  let versionsCreated = 0;
  afterAll(() => expect(versionsCreated).toBeGreaterThan(50));

  it('numbers versions gap-free, never versions a deprecated feature, emits only schema-valid events, and the read model follows the state', () => {
    fc.assert(
      fc.property(commands, (sequence) => {
        replayCommands(target, sequence, {
          onRejected(state, command, error) {
            if (command.type === 'CreateFeatureVersion' && state.exists && state.status === 'deprecated') expect(error.kind).toBe('invalid_state');
          },
          onApplied(_before, state, _event, cloudEvent, doc) {
            expect(validator.validate(cloudEvent)).toEqual({ valid: true, errors: [] });
            if (state.exists) {
              expect(doc).toMatchObject({ status: state.status, owner: state.owner, latest_version: { version: state.version, ...state.definition } });
            }
          },
          onDecided(before, command, events) {
            if (command.type !== 'CreateFeatureVersion') return;
            const after = events.reduce(featureDecider.evolve, before);
            expect(before.exists && after.exists && after.version === before.version + 1).toBe(true);
            versionsCreated++;
          },
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('snapshots of the feature state', () => {
  it('fold to the same state as the whole stream, wherever the snapshot was taken', () => {
    fc.assert(
      fc.property(commands, (sequence) => {
        const { log } = replayCommands(target, sequence);
        expect(snapshotDivergences(featureDecider, log)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
