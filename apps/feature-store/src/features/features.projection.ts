import { CloudEvent, FeatureEvent, FeatureSchema, FeatureSource, featureStoreCatalog, FeatureValueType, Topics } from '@mlops/events';
import { DerivedDocument, derivedSchema, Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';
import { FEATURE_STATUSES, FeatureStatus } from './feature.decider';

/** One immutable version of a feature's definition. */
export interface FeatureVersionView {
  name: string;
  version: number;
  value_type: FeatureValueType;
  schema: FeatureSchema;
  source: FeatureSource;
  changelog: string;
  backward_compatible: boolean;
  breaking_changes: string[];
  created_at: string;
  created_by: string;
}

/** One document per feature stream (`_id` feature:<name>, `version` = stream version = the ETag). */
export interface FeatureDocument extends ReadModelDocument {
  name: string;
  description: string;
  entity: string;
  owner: string;
  tags: string[];
  status: FeatureStatus;
  deprecation_reason: string | null;
  deprecated_at: string | null;
  latest_version: FeatureVersionView;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** One document per version, for the paginated history. */
export type FeatureVersionDocument = DerivedDocument & FeatureVersionView;

export const FEATURE_VERSIONS_COLLECTION = 'feature_versions';

/** `_id` of a version document: sorts by feature, then version number. */
export const featureVersionId = (name: string, version: number) => `${name}|${String(version).padStart(10, '0')}`;

/** A version as it is stored (inline as `latest_version`, and one document per version). */
const versionFields = {
  name: String,
  version: Number,
  value_type: String,
  schema: Object,
  source: Object,
  changelog: String,
  backward_compatible: Boolean,
  breaking_changes: [String],
  created_at: String,
  created_by: String,
};

/** The list filters, each with `_id` for the keyset page (findPage). */
export const featuresSchema = readModelSchema('features', {
  name: String,
  description: String,
  entity: String,
  owner: String,
  tags: [String],
  status: { type: String, enum: FEATURE_STATUSES },
  deprecation_reason: String,
  deprecated_at: String,
  latest_version: Object,
  created_at: String,
  created_by: String,
  updated_at: String,
  updated_by: String,
});
featuresSchema.index({ entity: 1, _id: 1 }, { name: 'entity_id' });
featuresSchema.index({ owner: 1, _id: 1 }, { name: 'owner_id' });
featuresSchema.index({ tags: 1, _id: 1 }, { name: 'tags_id' });
featuresSchema.index({ status: 1, _id: 1 }, { name: 'status_id' });

/** A feature's version history, paged by feature name. */
export const featureVersionsSchema = derivedSchema(FEATURE_VERSIONS_COLLECTION, versionFields);
featureVersionsSchema.index({ name: 1, _id: 1 }, { name: 'name_id' });

function versionOf(event: CloudEvent<any>): FeatureVersionView {
  const { name, version, value_type, schema, source, changelog } = event.data;
  const compatible = event.data.backward_compatible ?? true;
  return {
    name,
    version,
    value_type,
    schema,
    source,
    changelog,
    backward_compatible: compatible,
    breaking_changes: event.data.breaking_changes ?? [],
    created_at: event.time,
    created_by: event.actor,
  };
}

/**
 * Read model of features: the feature with its latest version inline (detail and lists), and every
 * version, immutable, as its own document in `feature_versions` (history).
 */
export const featuresProjection: Projection<FeatureDocument> = {
  name: 'features',
  topic: Topics.featureStore,
  streamType: 'feature',
  derivedCollections: [FEATURE_VERSIONS_COLLECTION],
  schema: featuresSchema,
  derivedSchemas: { [FEATURE_VERSIONS_COLLECTION]: featureVersionsSchema },
  evolve(current, event: CloudEvent<any>) {
    const touched = { updated_at: event.time, updated_by: event.actor };
    const e = { type: featureStoreCatalog.nameOf(event.type), data: event.data } as FeatureEvent;
    switch (e.type) {
      case 'FeatureCreated':
        return {
          name: e.data.name,
          description: e.data.description,
          entity: e.data.entity,
          owner: e.data.owner,
          tags: e.data.tags,
          status: 'active',
          deprecation_reason: null,
          deprecated_at: null,
          latest_version: versionOf(event),
          created_at: event.time,
          created_by: event.actor,
          ...touched,
        };
      case 'FeatureUpdated': {
        const { name: _name, ...changes } = e.data;
        return { ...current!, ...changes, ...touched };
      }
      case 'FeatureDeprecated':
        return { ...current!, status: 'deprecated', deprecation_reason: e.data.reason, deprecated_at: event.time, ...touched };
      case 'FeatureRestored':
        return { ...current!, status: 'active', deprecation_reason: null, deprecated_at: null, ...touched };
      case 'FeatureVersionCreated':
        return { ...current!, latest_version: versionOf(event), ...touched };
      default:
        return { ...current!, ...touched };
    }
  },
  derive(event: CloudEvent<any>) {
    const name = featureStoreCatalog.nameOf(event.type);
    if (name !== 'FeatureCreated' && name !== 'FeatureVersionCreated') return [];
    const view = versionOf(event);
    return [{ collection: FEATURE_VERSIONS_COLLECTION, insertOnly: true, documents: [{ _id: featureVersionId(view.name, view.version), ...view }] }];
  },
};
