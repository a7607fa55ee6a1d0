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
});

export type LifecycleConfig = ServiceConfig & z.infer<typeof lifecycleConfigSchema>;
