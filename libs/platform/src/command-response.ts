import type { Response } from 'express';
import type { CommandResult } from '@mlops/event-sourcing';
import { currentContext } from './request-context';
import { etagOf } from './http';

export type { CommandResult } from '@mlops/event-sourcing';

/**
 * 201/200 with the resource and its ETag once the read model shows the command; 202 with Location
 * when the bounded wait ran out or the caller sent `Prefer: respond-async`.
 */
export function sendCommandResult<Doc extends { version: number }>(
  res: Response,
  result: CommandResult<Doc>,
  options: { location: string; created: boolean },
  present: (doc: Doc) => unknown,
): unknown {
  if (options.created || !result.doc) res.location(options.location);
  if (!result.doc) {
    res.status(202);
    res.setHeader('ETag', etagOf(result.version));
    return { status: 'accepted', version: result.version, location: options.location };
  }
  res.status(options.created ? 201 : 200);
  res.setHeader('ETag', etagOf(result.doc.version));
  return present(result.doc);
}

/** Whether a command should wait for its read model before answering. */
export const wantsReadYourWrites = () => !currentContext()?.respondAsync;
