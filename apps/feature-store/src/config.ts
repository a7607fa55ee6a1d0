import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { ServiceConfig } from '@mlops/platform';

/** Settings only the feature store has. */
export const featureStoreConfigSchema = z.object({
  /** The directory dataset files are registered from; relative values resolve against the working directory. */
  FEATURE_STORE_DATA_ROOT: z
    .string()
    .min(1)
    .default('./data')
    .transform((value) => resolve(value)),
  /** The DuckDB database file whose tables can be registered, relative to the data root (or absolute inside it). */
  FEATURE_STORE_DUCKDB_PATH: z.string().min(1).max(4096).default('warehouse.duckdb'),
  /** DuckDB worker threads per profile. */
  FEATURE_STORE_DUCKDB_THREADS: z.coerce.number().int().min(1).max(64).default(2),
  /** DuckDB memory limit per profile (DuckDB syntax). */
  FEATURE_STORE_DUCKDB_MEMORY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'expected a size such as 1GB')
    .default('1GB'),
  /** Where DuckDB may spill while profiling (a writable scratch directory; the data root may be read-only). */
  FEATURE_STORE_DUCKDB_TEMP_DIR: z
    .string()
    .min(1)
    .default(join(tmpdir(), 'feature-store-duckdb'))
    .transform((value) => resolve(value)),
  /** How many DuckDB profiles (registrations, refreshes, SQL checks) run at once; the rest queue. */
  FEATURE_STORE_PROFILE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
});

export type FeatureStoreConfig = ServiceConfig & z.infer<typeof featureStoreConfigSchema>;
