import { CallHandler, createParamDecorator, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import fresh from 'fresh';
import { map, Observable } from 'rxjs';
import type { CommandResult } from '@mlops/event-sourcing';
import { etagOf, parseIfMatch } from './http';

/** The version a write is conditional on (`If-Match: "<version>"`), undefined without one; 412 for a tag that cannot match. */
export const IfMatch = createParamDecorator((_: unknown, context: ExecutionContext): number | undefined =>
  parseIfMatch(context.switchToHttp().getRequest<Request>().header('if-match')),
);

/** What a command handler answers: the ResponseInterceptor turns it into 201 / 200 / 202 with ETag and Location. */
export class CommandReply<Doc extends { version: number }> {
  constructor(
    readonly result: CommandResult<Doc>,
    readonly location: string,
    readonly created: boolean,
    readonly present: (doc: Doc) => unknown,
    /** Further response headers the command's answer carries. */
    readonly headers: Record<string, string> = {},
  ) {}
}

/** 201 with the resource once the read model shows it; 202 with Location when the bounded wait ran out or the caller sent `Prefer: respond-async`. */
export const createdReply = <Doc extends { version: number }>(
  result: CommandResult<Doc>,
  location: string,
  present: (doc: Doc) => unknown,
  headers?: Record<string, string>,
) => new CommandReply(result, location, true, present, headers);

/** 200 with the changed resource; 202 with Location as for a create. */
export const updatedReply = <Doc extends { version: number }>(result: CommandResult<Doc>, location: string, present: (doc: Doc) => unknown) =>
  new CommandReply(result, location, false, present);

export interface TaggedBodyOptions {
  /** Answer 304 without a body to an If-None-Match that matches the ETag. */
  conditional?: boolean;
  location?: string;
  contentType?: string;
}

/** A body with its strong ETag (and, where given, Location and content type). */
export class TaggedBody {
  constructor(
    readonly etag: string,
    readonly body: unknown,
    readonly options: TaggedBodyOptions = {},
  ) {}
}

/** A resource read at `version`: the body with `ETag: "<version>"`. */
export const withVersionTag = (version: number, body: unknown, options?: TaggedBodyOptions) => new TaggedBody(etagOf(version), body, options);

function sendCommandReply<Doc extends { version: number }>(res: Response, reply: CommandReply<Doc>): unknown {
  const { result, location, created } = reply;
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  if (created || !result.doc) res.location(location);
  if (!result.doc) {
    res.status(202);
    res.setHeader('ETag', etagOf(result.version));
    return { status: 'accepted', version: result.version, location };
  }
  res.status(created ? 201 : 200);
  res.setHeader('ETag', etagOf(result.doc.version));
  return reply.present(result.doc);
}

/** Status, ETag and Location for what handlers return, so no handler takes the response object. */
@Injectable()
export class ResponseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    return next.handle().pipe(
      map((value: unknown) => {
        const res = http.getResponse<Response>();
        if (value instanceof CommandReply) return sendCommandReply(res, value);
        if (value instanceof TaggedBody) {
          const { conditional, location, contentType } = value.options;
          res.setHeader('ETag', value.etag);
          if (location) res.location(location);
          if (conditional && fresh(http.getRequest<Request>().headers, { etag: value.etag })) {
            res.status(304);
            return undefined;
          }
          if (contentType) res.type(contentType);
          return value.body;
        }
        return value;
      }),
    );
  }
}
