import { declaredIndexes } from '@mlops/event-sourcing';
import { describeQueryPlans, pageShape, pooled } from '@mlops/testing';
import { AUDIT_COLLECTION, LABEL_HISTORY_COLLECTION, templatesProjection } from './templates/templates.projection';
import { USAGE_RECORDS_COLLECTION, USAGE_ROLLUPS_COLLECTION, usageProjection } from './usage/usage.projection';

// The queries prompt governance serves, against the indexes its read models declare. Derived
// documents' `_id`s start with their template's id; `doc:001…` stands for one template's prefix.
const T = templatesProjection.name;
const prefix = { _id: { $gt: 'doc:001', $lt: 'doc:001~' } };
describeQueryPlans(
  'prompt-governance query plans',
  [
    { name: T, fields: { statuses: 'tags', owner: 'string', tags: 'tags' } },
    { name: LABEL_HISTORY_COLLECTION, fields: { label: 'string' } },
    { name: AUDIT_COLLECTION, fields: { action: 'string' } },
    { name: USAGE_RECORDS_COLLECTION, fields: { template_id: 'string', day: 'string' } },
    { name: USAGE_ROLLUPS_COLLECTION, fields: { template_id: 'string' } },
  ],
  [templatesProjection, usageProjection].flatMap(declaredIndexes),
  [
    { name: 'a template by _id', collection: T, filter: { _id: 'doc:000042' }, limit: 1 },
    pageShape('templates by status', T, { statuses: pooled('statuses', 3) }),
    pageShape('templates by owner, next page', T, { owner: pooled('owner', 4) }, 'doc:003004'),
    pageShape('templates by tag', T, { tags: pooled('tags', 5) }),
    pageShape("a template's label moves", LABEL_HISTORY_COLLECTION, { ...prefix, label: pooled('label', 6) }),
    pageShape("a template's audit trail, next page", AUDIT_COLLECTION, { ...prefix, action: pooled('action', 7) }, 'doc:001007'),
    pageShape("a template's audit trail by version", AUDIT_COLLECTION, { ...prefix, version: 8 }),
    {
      name: 'usage records of a day',
      collection: USAGE_RECORDS_COLLECTION,
      filter: { template_id: pooled('template_id', 9), version: 1, day: pooled('day', 9), _id: { $gte: 'doc:001', $lt: 'doc:009' } },
      sort: { _id: 1 },
      limit: 51,
    },
    {
      name: 'usage rollups of a window',
      collection: USAGE_ROLLUPS_COLLECTION,
      filter: { template_id: pooled('template_id', 10), version: 2, _id: { $gte: 'doc:001', $lt: 'doc:009' } },
    },
  ],
);
