import { type ApiClient, ok } from './client';
import type { components, operations } from './schema';

type Schemas = components['schemas'];
type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

export type Feature = Schemas['FeatureDto'];
export type FeatureVersion = Schemas['FeatureVersionDto'];
export type FeatureValueType = FeatureVersion['value_type'];
export type Dataset = Schemas['DatasetDto'];
export type ColumnProfile = Schemas['ColumnProfileDto'];
export type SchemaChange = Schemas['SchemaChangeDto'];
export type DriftReport = Schemas['DriftReportDto'];
export type FeatureFilter = Omit<Query<'FeatureStoreFeaturesController_list'>, 'cursor'>;
export type DatasetFilter = Omit<Query<'FeatureStoreDatasetsController_list'>, 'cursor'>;

const BASE = '/api/v1/features';
const ifMatch = (etag: string | null | undefined) => (etag ? { 'If-Match': etag } : undefined);

/** The Feature Store API over the typed client: each call answers its data and ETag or throws ApiError. */
export function featureStoreApi(client: ApiClient) {
  return {
    listFeatures: (filter: FeatureFilter = {}, cursor?: string) => ok(client.GET(BASE, { params: { query: { ...filter, cursor } } })),
    getFeature: (name: string) => ok(client.GET(`${BASE}/{name}`, { params: { path: { name } } })),
    createFeature: (body: Schemas['CreateFeatureDto']) => ok(client.POST(BASE, { body })),
    updateFeature: (name: string, body: Schemas['UpdateFeatureDto'], etag?: string | null) =>
      ok(client.PATCH(`${BASE}/{name}`, { params: { path: { name }, header: ifMatch(etag) }, body })),
    deprecateFeature: (name: string, reason: string | undefined, etag?: string | null) =>
      ok(client.DELETE(`${BASE}/{name}`, { params: { path: { name }, query: reason ? { reason } : {}, header: ifMatch(etag) } })),
    featureVersions: (name: string, cursor?: string) =>
      ok(client.GET(`${BASE}/{name}/versions`, { params: { path: { name }, query: { cursor, limit: 500 } } })),
    featureVersion: (name: string, version: number) => ok(client.GET(`${BASE}/{name}/versions/{version}`, { params: { path: { name, version } } })),
    createFeatureVersion: (name: string, body: Schemas['CreateFeatureVersionDto']) =>
      ok(client.POST(`${BASE}/{name}/versions`, { params: { path: { name } }, body })),

    listDatasets: (filter: DatasetFilter = {}, cursor?: string) => ok(client.GET(`${BASE}/datasets`, { params: { query: { ...filter, cursor } } })),
    getDataset: (id: string) => ok(client.GET(`${BASE}/datasets/{id}`, { params: { path: { id } } })),
    registerDataset: (body: Schemas['RegisterDatasetDto']) => ok(client.POST(`${BASE}/datasets`, { body })),
    refreshDataset: (id: string, etag?: string | null) => ok(client.POST(`${BASE}/datasets/{id}/refresh`, { params: { path: { id }, header: ifMatch(etag) } })),
    computeDrift: (id: string, body: Schemas['ComputeDriftDto']) => ok(client.POST(`${BASE}/datasets/{id}/drift`, { params: { path: { id } }, body })),
    driftReport: (id: string, reportId: string) =>
      ok(client.GET(`${BASE}/datasets/{id}/drift/{report_id}`, { params: { path: { id, report_id: reportId } } })),
  };
}

export type FeatureStoreApi = ReturnType<typeof featureStoreApi>;

export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

const shown = (value: unknown) => (value === undefined || value === null ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/** What differs between two versions of a feature: value type, each schema constraint, each source field. */
export function featureVersionDiff(a: FeatureVersion, b: FeatureVersion): FieldChange[] {
  const fields: [string, unknown, unknown][] = [
    ['value_type', a.value_type, b.value_type],
    ...(['nullable', 'min', 'max', 'allowed_values'] as const).map((k): [string, unknown, unknown] => [`schema.${k}`, a.schema[k], b.schema[k]]),
    ...(['kind', 'dataset_id', 'column', 'expression'] as const).map((k): [string, unknown, unknown] => [`source.${k}`, a.source[k], b.source[k]]),
  ];
  return fields.filter(([, x, y]) => shown(x) !== shown(y)).map(([field, x, y]) => ({ field, from: shown(x), to: shown(y) }));
}
