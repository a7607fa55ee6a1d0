import { type ApiClient, ok } from './client';
import type { components } from './schema';

/** Who the gateway takes the caller to be (`GET /api/v1/me`). */
export type Caller = components['schemas']['CallerDto'];

/** Whether the caller holds the role Prompt Governance requires of a reviewer (its review policy's). The service still decides. */
export const canReviewPrompts = (caller: Caller, approverRole: string) => caller.roles.includes(approverRole);

export function callerApi(client: ApiClient) {
  return { me: () => ok(client.GET('/api/v1/me')) };
}

export type CallerApi = ReturnType<typeof callerApi>;
