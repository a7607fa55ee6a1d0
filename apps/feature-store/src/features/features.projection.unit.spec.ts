import { FeatureCreatedData, FeatureEvent, featureStoreCatalog } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { FEATURE_VERSIONS_COLLECTION, featuresProjection, featureVersionId, FeatureVersionView } from './features.projection';

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
const v2: FeatureEvent = {
  type: 'FeatureVersionCreated',
  data: {
    name: 'trip_fare',
    version: 2,
    value_type: 'float',
    schema: SCHEMA,
    source: creation.source,
    changelog: 'Save space',
    backward_compatible: false,
    breaking_changes: ['value_type double → float'],
  },
};
const STREAM = 'feature:trip_fare';
const at = (minute: number) => `2026-01-01T00:0${minute}:00.000Z`;
const spec = ProjectionSpecification.for(featuresProjection, featureStoreCatalog);

const version1: FeatureVersionView = {
  name: 'trip_fare',
  version: 1,
  value_type: 'double',
  schema: SCHEMA,
  source: creation.source,
  changelog: 'Initial version',
  backward_compatible: true,
  breaking_changes: [],
  created_at: at(0),
  created_by: 'ana',
};

describe('features read model', () => {
  it('is the feature with version 1 inline, active', async () => {
    await spec.givenStream(STREAM, created).then({
      version: 1,
      name: 'trip_fare',
      description: 'Fare of a trip',
      entity: 'trip_id',
      owner: 'ana',
      tags: ['taxi'],
      status: 'active',
      deprecation_reason: null,
      deprecated_at: null,
      latest_version: version1,
      created_at: at(0),
      created_by: 'ana',
      updated_at: at(0),
      updated_by: 'ana',
    });
  });

  it('applies metadata changes, deprecation and restoration, and moves latest_version to each new version', async () => {
    const specified = spec.givenStream(
      STREAM,
      created,
      { event: { type: 'FeatureUpdated', data: { name: 'trip_fare', owner: 'bo', tags: ['taxi', 'fare'] } }, by: 'bo' },
      { event: { type: 'FeatureDeprecated', data: { name: 'trip_fare', reason: 'replaced' } }, by: 'cy' },
    );
    await specified.thenMatches({ version: 3, owner: 'bo', tags: ['taxi', 'fare'], status: 'deprecated', deprecation_reason: 'replaced', deprecated_at: at(2), updated_by: 'cy' });
    await spec
      .givenStream(STREAM, created, { type: 'FeatureDeprecated', data: { name: 'trip_fare', reason: 'replaced' } }, { type: 'FeatureRestored', data: { name: 'trip_fare' } }, { event: v2, by: 'dee' })
      .thenMatches({
        version: 4,
        status: 'active',
        deprecation_reason: null,
        deprecated_at: null,
        latest_version: { ...version1, version: 2, value_type: 'float', changelog: 'Save space', backward_compatible: false, breaking_changes: ['value_type double → float'], created_at: at(3), created_by: 'dee' },
      });
  });

  it('derives one immutable document per version for the history, the same on replay', async () => {
    const derived = await spec.givenStream(STREAM, created, { type: 'FeatureUpdated', data: { name: 'trip_fare', description: 'x' } }, v2).derived();
    expect(derived).toEqual([
      { collection: FEATURE_VERSIONS_COLLECTION, insertOnly: true, documents: [{ _id: featureVersionId('trip_fare', 1), ...version1 }] },
      { collection: FEATURE_VERSIONS_COLLECTION, insertOnly: true, documents: [expect.objectContaining({ _id: featureVersionId('trip_fare', 2), version: 2, created_at: at(2) })] },
    ]);
    expect(featureVersionId('trip_fare', 2)).toBe('trip_fare|0000000002');
  });
});
