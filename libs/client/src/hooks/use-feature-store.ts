import { queryOptions, useInfiniteQuery, useQueries, useQuery } from '@tanstack/react-query';
import type { Page } from '../lifecycle';
import { type DatasetFilter, type FeatureFilter, type FeatureStoreApi, type FeatureVersion } from '../feature-store';
import type { components } from '../schema';
import { useApis } from './api-context';
import { pages, useTaggedChange } from './query-kit';

export const featureStoreKeys = {
  all: ['feature-store'] as const,
  features: () => [...featureStoreKeys.all, 'features'] as const,
  feature: (name: string) => [...featureStoreKeys.features(), 'one', name] as const,
  datasets: () => [...featureStoreKeys.all, 'datasets'] as const,
  dataset: (id: string) => [...featureStoreKeys.datasets(), 'one', id] as const,
};

/** Every version of a feature, oldest first, in pages of 500. */
async function allVersions(api: FeatureStoreApi, name: string): Promise<FeatureVersion[]> {
  const versions: FeatureVersion[] = [];
  let cursor: string | undefined;
  do {
    const { data }: { data: Page<FeatureVersion> } = await api.featureVersions(name, cursor);
    versions.push(...data.items);
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  return versions;
}

export function featureStoreQueries(api: FeatureStoreApi) {
  return {
    features: (filter: FeatureFilter = {}) => pages(featureStoreKeys.features(), api.listFeatures, filter),
    feature: (name: string) => queryOptions({ queryKey: featureStoreKeys.feature(name), queryFn: () => api.getFeature(name) }),
    featureVersions: (name: string) => queryOptions({ queryKey: [...featureStoreKeys.feature(name), 'versions'], queryFn: () => allVersions(api, name) }),
    datasets: (filter: DatasetFilter = {}) => pages(featureStoreKeys.datasets(), api.listDatasets, filter),
    dataset: (id: string) => queryOptions({ queryKey: featureStoreKeys.dataset(id), queryFn: () => api.getDataset(id) }),
  };
}

/** The Feature Store's API and query options, bound to the client of the nearest ApiProvider. */
export function useFeatureStore() {
  const { featureStore } = useApis();
  return { api: featureStore, queries: featureStoreQueries(featureStore) };
}

export const useFeatures = (filter: FeatureFilter = {}) => useInfiniteQuery(useFeatureStore().queries.features(filter));
export const useFeature = (name: string) => useQuery(useFeatureStore().queries.feature(name));
export const useFeatureVersions = (name: string) => useQuery(useFeatureStore().queries.featureVersions(name));
export const useDatasets = (filter: DatasetFilter = {}) => useInfiniteQuery(useFeatureStore().queries.datasets(filter));
export const useDataset = (id: string) => useQuery(useFeatureStore().queries.dataset(id));
/** Datasets by id (a feature's sources, a report's lineage); a missing one answers its 404. */
export function useDatasetsById(ids: string[]) {
  const { queries } = useFeatureStore();
  return useQueries({ queries: ids.map((id) => ({ ...queries.dataset(id), retry: false })) });
}

export function useDeprecateFeature(name: string) {
  const { api } = useFeatureStore();
  return useTaggedChange(featureStoreKeys.feature(name), featureStoreKeys.features(), (reason: string | undefined, etag) => api.deprecateFeature(name, reason, etag));
}
export function useUpdateFeature(name: string) {
  const { api } = useFeatureStore();
  return useTaggedChange(featureStoreKeys.feature(name), featureStoreKeys.features(), (change: components['schemas']['UpdateFeatureDto'], etag) =>
    api.updateFeature(name, change, etag),
  );
}
export function useCreateFeatureVersion(name: string) {
  const { api } = useFeatureStore();
  return useTaggedChange(featureStoreKeys.feature(name), featureStoreKeys.features(), (body: components['schemas']['CreateFeatureVersionDto']) =>
    api.createFeatureVersion(name, body),
  );
}
export function useCreateFeature() {
  const { api } = useFeatureStore();
  return useTaggedChange(featureStoreKeys.features(), featureStoreKeys.features(), (body: components['schemas']['CreateFeatureDto']) => api.createFeature(body));
}
export function useRegisterDataset() {
  const { api } = useFeatureStore();
  return useTaggedChange(featureStoreKeys.datasets(), featureStoreKeys.datasets(), (body: components['schemas']['RegisterDatasetDto']) => api.registerDataset(body));
}
export function useRefreshDataset(id: string) {
  const { api } = useFeatureStore();
  return useTaggedChange(featureStoreKeys.dataset(id), featureStoreKeys.datasets(), (_: void, etag) => api.refreshDataset(id, etag));
}
