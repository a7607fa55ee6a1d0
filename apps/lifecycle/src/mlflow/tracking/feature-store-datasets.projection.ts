import type { Collection } from 'mongodb';
import { CloudEvent, DatasetEvent, featureStoreCatalog, Topics } from '@mlops/events';
import { Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';

/**
 * What the lifecycle service knows of a Feature Store dataset (`_id` dataset:<id>), read from the
 * Feature Store's events — services never call each other — so a run's dataset input can be linked
 * to the dataset whose file it read.
 */
export interface FeatureStoreDatasetDocument extends ReadModelDocument {
  dataset_id: string;
  name: string;
  /** Every sha256 the dataset's file has had (registration, then each refresh): a run may have read an older one. */
  content_sha256s: string[];
  updated_at: string;
}

/** Found by a file's sha256 (`datasetWithDigest`). */
export const featureStoreDatasetsSchema = readModelSchema('feature_store_datasets', {
  dataset_id: String,
  name: String,
  content_sha256s: [String],
  updated_at: String,
});
featureStoreDatasetsSchema.index({ content_sha256s: 1, _id: 1 }, { name: 'content_sha256s_id' });

export const featureStoreDatasetsProjection: Projection<FeatureStoreDatasetDocument> = {
  name: 'feature_store_datasets',
  topic: Topics.featureStore,
  streamType: 'dataset',
  schema: featureStoreDatasetsSchema,
  evolve(current, event: CloudEvent<any>) {
    const e = { type: featureStoreCatalog.nameOf(event.type), data: event.data } as DatasetEvent;
    const digests = current?.content_sha256s ?? [];
    switch (e.type) {
      case 'DatasetRegistered':
        return { dataset_id: e.data.id, name: e.data.name, content_sha256s: e.data.content_sha256 ? [e.data.content_sha256] : [], updated_at: event.time };
      case 'DatasetProfiled': {
        const sha = e.data.content_sha256;
        return { ...current!, content_sha256s: sha && !digests.includes(sha) ? [...digests, sha] : digests, updated_at: event.time };
      }
      default:
        return { ...current!, updated_at: event.time };
    }
  },
};

/** MLflow digests are free text; a Feature Store file's is a lowercase hex sha256. */
const SHA256 = /^[0-9a-f]{64}$/i;

/** The Feature Store dataset whose file has (or had) `digest` as its sha256, if any. */
export async function datasetWithDigest(readModel: Collection<FeatureStoreDatasetDocument>, digest: string): Promise<FeatureStoreDatasetDocument | null> {
  if (!SHA256.test(digest)) return null;
  return readModel.findOne({ content_sha256s: digest.toLowerCase() }, { sort: { _id: 1 } });
}
