import { currentContext } from './request-context';

/** Commands answer through CommandReply (http-response.ts); the result type lives with the aggregates. */
export type { CommandResult } from '@mlops/event-sourcing';

/** Whether a command should wait for its read model before answering. */
export const wantsReadYourWrites = () => !currentContext()?.respondAsync;
