import { FeatureCreatedData, FeatureEvent } from '@mlops/events';
import { FeatureCommand, featureDecider } from './feature.decider';
import { DeciderSpecification } from '@mlops/testing';

const COLUMNS = [
  { column: 'fare', type: 'FLOAT' },
  { column: 'passengers', type: 'INTEGER' },
];
const SCHEMA = { nullable: true, min: 0, max: null, allowed_values: null };
const creation: FeatureCreatedData = {
  name: 'trip_fare',
  description: 'Fare of a trip',
  entity: 'trip_id',
  owner: 'ana',
  tags: ['taxi'],
  version: 1,
  value_type: 'double',
  schema: SCHEMA,
  source: { kind: 'column', dataset_id: 'trips', column: 'fare' },
  changelog: 'Initial version',
};
const created: FeatureEvent = { type: 'FeatureCreated', data: creation };
const deprecated: FeatureEvent = { type: 'FeatureDeprecated', data: { name: 'trip_fare', reason: 'replaced' } };

const { given } = DeciderSpecification.for(featureDecider);

const { version: _version, ...createData } = creation;
const create = (overrides: Partial<Extract<FeatureCommand, { type: 'CreateFeature' }>['data']> = {}): FeatureCommand => ({
  type: 'CreateFeature',
  data: { ...createData, dataset_schema: COLUMNS, ...overrides },
});
const newVersion = (data: Partial<Extract<FeatureCommand, { type: 'CreateFeatureVersion' }>['data']>): FeatureCommand => ({
  type: 'CreateFeatureVersion',
  data: { name: 'trip_fare', changelog: 'change', dataset_schema: COLUMNS, ...data },
});

describe('feature decider', () => {
  it('creates a feature as version 1', () => {
    given().when(create()).then([created]);
  });

  it('refuses a duplicate name (409)', () => {
    given(created).when(create()).thenThrows('conflict', /already exists/);
  });

  it('refuses a source column the dataset does not have, or a dataset that is not registered (422)', () => {
    given().when(create({ source: { kind: 'column', dataset_id: 'trips', column: 'tip' } })).thenThrows('invalid_state', /column "tip" does not exist/);
    given().when(create({ dataset_schema: null })).thenThrows('invalid_state', /not registered/);
  });

  it('refuses constraints that do not fit the type (400)', () => {
    given().when(create({ value_type: 'string' })).thenThrows('invalid_input', /numeric value types only/);
  });

  it('records only the metadata that changes', () => {
    given(created).when({ type: 'UpdateFeature', data: { name: 'trip_fare', description: 'Fare of a trip', owner: 'bo', tags: ['taxi'] } }).then([
      { type: 'FeatureUpdated', data: { name: 'trip_fare', owner: 'bo' } },
    ]);
  });

  it('deprecates once, restores, and treats a repeated deprecation as done', () => {
    given(created).when({ type: 'DeprecateFeature', data: { name: 'trip_fare', reason: 'replaced' } }).then([deprecated]);
    given(created, deprecated).when({ type: 'DeprecateFeature', data: { name: 'trip_fare', reason: 'again' } }).thenNothing();
    given(created, deprecated).when({ type: 'UpdateFeature', data: { name: 'trip_fare', status: 'active' } }).then([
      { type: 'FeatureRestored', data: { name: 'trip_fare' } },
    ]);
    given(created).when({ type: 'UpdateFeature', data: { name: 'trip_fare', status: 'deprecated', reason: 'old' } }).then([
      { type: 'FeatureDeprecated', data: { name: 'trip_fare', reason: 'old' } },
    ]);
  });

  it('refuses to update or deprecate an unknown feature (404)', () => {
    given().when({ type: 'UpdateFeature', data: { name: 'trip_fare', owner: 'x' } }).thenThrows('not_found', /does not exist/);
    given().when({ type: 'DeprecateFeature', data: { name: 'trip_fare', reason: '' } }).thenThrows('not_found', /does not exist/);
  });

  it('creates version 2 with the changes, the rest carried over, and its compatibility', () => {
    given(created).when(newVersion({ value_type: 'float', changelog: 'Save space' })).then([
      {
        type: 'FeatureVersionCreated',
        data: {
          name: 'trip_fare',
          version: 2,
          value_type: 'float',
          schema: SCHEMA,
          source: creation.source,
          changelog: 'Save space',
          backward_compatible: false,
          breaking_changes: ['value_type double → float: existing values cannot be read as float'],
        },
      },
    ]);
  });

  it('numbers versions from the last one', () => {
    const v2: FeatureEvent = {
      type: 'FeatureVersionCreated',
      data: { name: 'trip_fare', version: 2, value_type: 'double', schema: { ...SCHEMA, min: null }, source: creation.source, changelog: 'x', backward_compatible: true, breaking_changes: [] },
    };
    const [v3] = given(created, v2).when(newVersion({ source: { kind: 'sql', dataset_id: 'trips', expression: 'fare * 1.1' } })).events();
    expect(v3).toMatchObject({ type: 'FeatureVersionCreated', data: { version: 3, backward_compatible: true, schema: { min: null } } });
  });

  it('refuses a version that changes nothing, one of a deprecated feature (422), and one of an unknown feature (404)', () => {
    given(created).when(newVersion({ value_type: 'double', schema: SCHEMA })).thenThrows('invalid_state', /unchanged/);
    given(created, deprecated).when(newVersion({ value_type: 'float' })).thenThrows('invalid_state', /deprecated/);
    given().when(newVersion({ value_type: 'float' })).thenThrows('not_found', /does not exist/);
  });

  it('refuses a version whose source column is missing from the dataset now (422)', () => {
    given(created).when(newVersion({ value_type: 'float', dataset_schema: [{ column: 'passengers', type: 'INTEGER' }] })).thenThrows('invalid_state', /column "fare"/);
  });
});
