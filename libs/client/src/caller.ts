import { type ApiClient, ok } from './client';
import type { components } from './schema';

/** Who the gateway takes the caller to be (`GET /api/v1/me`). */
export type Caller = components['schemas']['CallerDto'];

/**
 * The role Prompt Governance requires to approve or reject (its PROMPT_APPROVER_ROLE, whose
 * default this is). The console only decides what to show by it; the service decides what is allowed.
 */
export const PROMPT_APPROVER_ROLE = 'prompt-approver';

export const canReviewPrompts = (caller: Caller, approverRole = PROMPT_APPROVER_ROLE) => caller.roles.includes(approverRole);

export function callerApi(client: ApiClient) {
  return { me: () => ok(client.GET('/api/v1/me')) };
}

export type CallerApi = ReturnType<typeof callerApi>;
