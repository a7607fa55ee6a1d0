import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { ServiceConfig } from '@mlops/platform';

const CHECKLIST = /^[a-z][a-z0-9_]{0,63}:(required|optional)(,[a-z][a-z0-9_]{0,63}:(required|optional))*$/;

/** Settings only the lifecycle service has. */
export const lifecycleConfigSchema = z.object({
  /** The release checklist every new model version starts with, `key:required|optional,…`. */
  MODEL_CHECKLIST: z
    .string()
    .regex(CHECKLIST, 'expected key:required|optional[,key:required|optional…]')
    .default('evaluation_passed:required,bias_review:required,security_review:required,owner_signoff:optional')
    .transform((value) => value.split(',').map((item) => ({ key: item.split(':')[0], required: item.split(':')[1] === 'required' })))
    .refine((items) => new Set(items.map((i) => i.key)).size === items.length, { message: 'checklist keys must be unique' }),
  /** The MLflow artifact proxy's local store (and the S3 store's spool): a directory, created when missing. */
  MLFLOW_ARTIFACT_ROOT: z
    .string()
    .min(1)
    .default('./data/mlflow-artifacts')
    .transform((path) => resolve(path))
    .refine((path) => path !== resolve('/'), { message: 'the filesystem root cannot be the artifact root' })
    .refine((path) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? true, { message: 'exists and is not a directory' }),
  /** Largest artifact file accepted, in bytes (MLflow's client uploads each file in one PUT). */
  MLFLOW_ARTIFACT_MAX_BYTES: z.coerce.number().int().min(1).max(5 * 1024 ** 3).default(512 * 1024 ** 2),
  /** When set, artifacts go to this S3-compatible bucket instead (credentials from the AWS default chain). */
  MLFLOW_ARTIFACT_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name').optional(),
  /** Key prefix inside the bucket, e.g. `mlflow/`. */
  MLFLOW_ARTIFACT_S3_PREFIX: z.string().regex(/^([^/].*\/)?$/, 'empty or ending with / (not starting with one)').default(''),
  /** An S3-compatible endpoint (MinIO, moto, Ceph); AWS's own when unset. */
  MLFLOW_ARTIFACT_S3_ENDPOINT: z.string().url().optional(),
  MLFLOW_ARTIFACT_S3_REGION: z.string().min(1).default('us-east-1'),
  MLFLOW_ARTIFACT_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

export type LifecycleConfig = ServiceConfig & z.infer<typeof lifecycleConfigSchema>;
