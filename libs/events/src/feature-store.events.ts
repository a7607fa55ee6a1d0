import { EventCatalog } from './catalog';
import { Topics } from './topics';
import datasetRegistered from '../schemas/feature-store/dataset.registered.v1.json';
import datasetProfiled from '../schemas/feature-store/dataset.profiled.v1.json';
import datasetSchemaChanged from '../schemas/feature-store/dataset.schema_changed.v1.json';
import datasetDriftComputed from '../schemas/feature-store/dataset.drift_computed.v1.json';
import featureCreated from '../schemas/feature-store/feature.created.v1.json';
import featureUpdated from '../schemas/feature-store/feature.updated.v1.json';
import featureDeprecated from '../schemas/feature-store/feature.deprecated.v1.json';
import featureRestored from '../schemas/feature-store/feature.restored.v1.json';
import featureVersionCreated from '../schemas/feature-store/feature.version_created.v1.json';

// ---- Datasets (stream dataset:<id>) ----

export type DatasetSourceType = 'csv' | 'parquet' | 'duckdb_table';

/** One column as DuckDB reads it: `type` is DuckDB's logical type (BIGINT, DOUBLE, VARCHAR, TIMESTAMP, INTEGER[], …). */
export interface DatasetColumn {
  column: string;
  type: string;
}

/** A profile value: numbers as numbers (integers beyond 2^53 as decimal strings), dates as ISO-8601 strings, text as text. */
export type ProfileValue = number | string | boolean | null;

export interface ColumnProfile {
  column: string;
  type: string;
  null_count: number;
  /** approx_count_distinct (HyperLogLog) of the non-null values. */
  approx_distinct: number;
  min: ProfileValue;
  max: ProfileValue;
  /** Numeric columns only. */
  mean: number | null;
  /** Sample standard deviation; numeric columns with 2+ values only. */
  stddev: number | null;
}

/** What DuckDB measured: the same fields on registration and on every refresh. */
export interface DatasetProfileData {
  schema: DatasetColumn[];
  row_count: number;
  size_bytes: number;
  /** sha256 of the file as profiled (csv, parquet); null for a DuckDB table. */
  content_sha256: string | null;
  profile: ColumnProfile[];
}

/**
 * Everything a consumer needs to read the data itself: `path` is relative to the data root
 * (FEATURE_STORE_DATA_ROOT), `/`-separated, never `..`; for `duckdb_table` it is the database file
 * and `table_name` the table in it.
 */
export interface DatasetRegisteredData extends DatasetProfileData {
  id: string;
  name: string;
  description: string;
  source_type: DatasetSourceType;
  path: string;
  table_name: string | null;
  tags: string[];
}
export interface DatasetProfiledData extends DatasetProfileData {
  id: string;
}
export interface DatasetSchemaChangedData {
  id: string;
  added: DatasetColumn[];
  removed: DatasetColumn[];
  retyped: { column: string; from: string; to: string }[];
  /** The schema after the change. */
  schema: DatasetColumn[];
}

export type DatasetEvent =
  | { type: 'DatasetRegistered'; data: DatasetRegisteredData }
  | { type: 'DatasetSchemaChanged'; data: DatasetSchemaChangedData }
  | { type: 'DatasetProfiled'; data: DatasetProfiledData };

// ---- Drift reports (stream dataset_drift:<report_id>) ----

/** Evidently's stattest names: ks, chisquare, z (proportions) give p-values; wasserstein (normed), jensenshannon, psi distances. */
export type DriftMethod = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi';
export type DriftColumnKind = 'numerical' | 'categorical';

export interface DriftColumnResult {
  column: string;
  /** DuckDB logical type in the current dataset. */
  type: string;
  kind: DriftColumnKind;
  method: DriftMethod;
  /** The test statistic (KS D, chi-squared, z) or the distance; null when unbounded (a category the reference lacks). */
  statistic: number | null;
  /** p-value methods: drift below the threshold (ks: at or below). Null for distances. */
  p_value: number | null;
  /** Distance methods: drift at or above the threshold. Null for p-value methods. */
  distance: number | null;
  threshold: number;
  drifted: boolean;
  /** Non-null, finite values compared on each side. */
  reference_count: number;
  current_count: number;
}

/** A drift report of a dataset (the current data) against a reference dataset, Evidently's way. */
export interface DatasetDriftComputedData {
  report_id: string;
  dataset_id: string;
  reference_dataset_id: string;
  /** The content hashes of the two files as profiled (null for DuckDB tables). */
  dataset_sha256: string | null;
  reference_sha256: string | null;
  dataset_rows: number;
  reference_rows: number;
  columns: DriftColumnResult[];
  number_of_columns: number;
  number_of_drifted_columns: number;
  share_of_drifted_columns: number;
  /** The dataset drifts when at least this share of its columns drift. */
  drift_share: number;
  dataset_drift: boolean;
}

export type DatasetDriftEvent = { type: 'DatasetDriftComputed'; data: DatasetDriftComputedData };
export const DATASET_DRIFT_COMPUTED = 'mlops.feature-store.dataset.drift_computed.v1';

// ---- Features (stream feature:<name>) ----

export const FEATURE_SCALAR_TYPES = ['bool', 'int32', 'int64', 'float', 'double', 'string', 'bytes', 'timestamp'] as const;
export type FeatureScalarType = (typeof FEATURE_SCALAR_TYPES)[number];
export type FeatureValueType = FeatureScalarType | `list<${FeatureScalarType}>`;
export const FEATURE_VALUE_TYPES: FeatureValueType[] = [...FEATURE_SCALAR_TYPES, ...FEATURE_SCALAR_TYPES.map((t) => `list<${t}>` as const)];

/** Constraints on a feature's values; null means unconstrained. */
export interface FeatureSchema {
  nullable: boolean;
  min: number | null;
  max: number | null;
  allowed_values: (string | number | boolean)[] | null;
}

/** A column of a registered dataset, or a DuckDB SQL expression over its columns. */
export type FeatureSource =
  | { kind: 'column'; dataset_id: string; column: string }
  | { kind: 'sql'; dataset_id: string; expression: string };

export interface FeatureDefinition {
  value_type: FeatureValueType;
  schema: FeatureSchema;
  source: FeatureSource;
}

export interface FeatureCreatedData extends FeatureDefinition {
  name: string;
  description: string;
  /** The entity (join key) the feature is keyed by. */
  entity: string;
  owner: string;
  tags: string[];
  version: 1;
  changelog: string;
}
export interface FeatureUpdatedData {
  name: string;
  description?: string;
  owner?: string;
  tags?: string[];
}
export interface FeatureDeprecatedData {
  name: string;
  reason: string;
}
export interface FeatureRestoredData {
  name: string;
}
/** Versions are immutable: who and when are the envelope's `actor` and `time`. */
export interface FeatureVersionCreatedData extends FeatureDefinition {
  name: string;
  version: number;
  changelog: string;
  backward_compatible: boolean;
  breaking_changes: string[];
}

export type FeatureEvent =
  | { type: 'FeatureCreated'; data: FeatureCreatedData }
  | { type: 'FeatureUpdated'; data: FeatureUpdatedData }
  | { type: 'FeatureDeprecated'; data: FeatureDeprecatedData }
  | { type: 'FeatureRestored'; data: FeatureRestoredData }
  | { type: 'FeatureVersionCreated'; data: FeatureVersionCreatedData };

export type FeatureStoreEvent = DatasetEvent | DatasetDriftEvent | FeatureEvent;

export const featureStoreCatalog = new EventCatalog(Topics.featureStore, '/mlops/feature-store', [
  { name: 'DatasetRegistered', type: 'mlops.feature-store.dataset.registered.v1', schema: datasetRegistered },
  { name: 'DatasetSchemaChanged', type: 'mlops.feature-store.dataset.schema_changed.v1', schema: datasetSchemaChanged },
  { name: 'DatasetProfiled', type: 'mlops.feature-store.dataset.profiled.v1', schema: datasetProfiled },
  { name: 'DatasetDriftComputed', type: DATASET_DRIFT_COMPUTED, schema: datasetDriftComputed },
  { name: 'FeatureCreated', type: 'mlops.feature-store.feature.created.v1', schema: featureCreated },
  { name: 'FeatureUpdated', type: 'mlops.feature-store.feature.updated.v1', schema: featureUpdated },
  { name: 'FeatureDeprecated', type: 'mlops.feature-store.feature.deprecated.v1', schema: featureDeprecated },
  { name: 'FeatureRestored', type: 'mlops.feature-store.feature.restored.v1', schema: featureRestored },
  { name: 'FeatureVersionCreated', type: 'mlops.feature-store.feature.version_created.v1', schema: featureVersionCreated },
]);
