import { z } from 'zod';
import type { ServiceConfig } from '@mlops/platform';

const TERM = /^[^,]{1,100}$/;

/** Settings only the prompt-governance service has. */
export const promptGovernanceConfigSchema = z.object({
  /** The role (from X-Roles, set by the gateway) an approver must hold to approve, reject or retire a version. */
  PROMPT_APPROVER_ROLE: z.string().regex(/^[A-Za-z0-9._:@/-]{1,128}$/, 'expected a role name').default('prompt-approver'),
  /** Terms the automatic evaluation flags, comma-separated, matched case-insensitively as whole words. */
  PROMPT_BANNED_TERMS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((term) => term.trim()).filter(Boolean))
    .refine((terms) => terms.every((term) => TERM.test(term)), { message: 'expected comma-separated terms of 1-100 characters' }),
  /** Approximate token budget (characters / 4) above which a template is oversized. */
  PROMPT_MAX_TOKENS: z.coerce.number().int().min(1).max(10_000_000).default(8000),
  /** The score (0–100) an evaluation needs, with no error finding, to pass. */
  PROMPT_EVALUATION_PASS_SCORE: z.coerce.number().int().min(0).max(100).default(70),
});

export type PromptGovernanceConfig = ServiceConfig & z.infer<typeof promptGovernanceConfigSchema>;
