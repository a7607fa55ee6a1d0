import { declaredIndexes } from '@mlops/event-sourcing';
import { describeQueryPlans, pageShape, pooled } from '@mlops/testing';
import { datasetsProjection } from './datasets/datasets.projection';
import { FEATURE_VERSIONS_COLLECTION, featuresProjection } from './features/features.projection';

// The queries the feature store serves, against the indexes its read models declare.
const F = featuresProjection.name;
const D = datasetsProjection.name;
describeQueryPlans(
  'feature-store query plans',
  [
    { name: F, fields: { entity: 'string', owner: 'string', tags: 'tags', status: 'string' } },
    { name: FEATURE_VERSIONS_COLLECTION, fields: { name: 'string' } },
    { name: D, fields: { source_type: 'string', tags: 'tags' } },
  ],
  [featuresProjection, datasetsProjection].flatMap(declaredIndexes),
  [
    { name: 'a feature by _id', collection: F, filter: { _id: 'doc:000042' }, limit: 1 },
    pageShape('features', F, {}),
    pageShape('features by entity', F, { entity: pooled('entity', 3) }),
    pageShape('features by owner, next page', F, { owner: pooled('owner', 4) }, 'doc:005004'),
    pageShape('features by tag', F, { tags: pooled('tags', 5) }),
    pageShape('features by status', F, { status: pooled('status', 6) }),
    pageShape('features by entity and owner', F, { entity: pooled('entity', 7), owner: pooled('owner', 7) }),
    { name: 'a feature version by _id', collection: FEATURE_VERSIONS_COLLECTION, filter: { _id: 'doc:000043' }, limit: 1 },
    pageShape("a feature's versions", FEATURE_VERSIONS_COLLECTION, { name: pooled('name', 8) }),
    { name: 'a dataset by _id', collection: D, filter: { _id: 'doc:000044' }, limit: 1 },
    pageShape('datasets by source type', D, { source_type: pooled('source_type', 9) }),
    pageShape('datasets by tag, next page', D, { tags: pooled('tags', 10) }, 'doc:010000'),
  ],
);
