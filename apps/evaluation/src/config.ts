import { z } from 'zod';
import type { ServiceConfig } from '@mlops/platform';

/** Settings only the evaluation service has. */
export const evaluationConfigSchema = z.object({
  /** Root that Feature Store dataset paths are relative to (the volume the feature store writes). */
  EVALUATION_DATA_ROOT: z.string().min(1).default('./data'),
  /** The most cases a scenario (inline or dataset-backed) and a run may hold. */
  EVALUATION_MAX_CASES: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  /** Cases listed in a report's error analysis. */
  EVALUATION_ERROR_ANALYSIS_LIMIT: z.coerce.number().int().min(0).max(10_000).default(20),
  /** How long a run or scenario waits for a model version or dataset the other services' events have not brought yet, before 404. */
  EVALUATION_UPSTREAM_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(3_000),
});

export type EvaluationConfig = ServiceConfig & z.infer<typeof evaluationConfigSchema>;

/** Inline scenarios of 100,000 cases are tens of MB of JSON: a larger body limit than other services'. */
export const EVALUATION_DEFAULTS = { BODY_LIMIT: '64mb' };
