import { applyDecorators, Type } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiBodyOptions,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiHeader,
  ApiHeaderOptions,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiParamOptions,
  ApiPreconditionFailedResponse,
  ApiResponse,
  ApiResponseOptions,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AcceptedDto } from './accepted.dto';

/** Why a command answers 202: stored, but its read model did not show it within the read-your-writes bound. */
export const READ_MODEL_BEHIND = 'Stored; the read model did not catch up within the bound';
/** What `If-Match` names: the version a command applies to (412 when it is not the current one). */
export const IF_MATCH_COMMAND = 'ETag ("<version>") the command applies to';
/** Why a command with If-Match answers 412. */
export const IF_MATCH_MISMATCH = 'If-Match does not match the current version';

/** A success answer: its body's DTO, or the DTO with a description (`{ type, description }`), or a description alone. */
/** A DTO, or a DTO and a description; `content` where the answer has more than one media type. */
export type RouteAnswer = Type<unknown> | { type?: Type<unknown>; description?: string; content?: ApiResponseOptions['content'] };

/** What the OpenAPI document says of one route; each problem is the description of why the route answers it. */
export interface RouteDocs {
  summary: string;
  description?: string;
  /** The request body, when it is not the handler's `@Body()` DTO (a oneOf). */
  body?: ApiBodyOptions;
  /** DTOs the document needs that no answer names directly (referenced by `getSchemaPath`). */
  extraModels?: Type<unknown>[];
  /** Path parameters the handler's DTOs do not describe. */
  params?: ApiParamOptions[];
  /** Request headers besides If-Match. */
  headers?: ApiHeaderOptions[];
  /** The If-Match header's description: the command applies to that version only (412 otherwise); `true`: IF_MATCH_COMMAND. */
  ifMatch?: string | true;
  ok?: RouteAnswer;
  created?: RouteAnswer;
  /** 202: stored, but the read model did not catch up within the bound; `true`: AcceptedDto, READ_MODEL_BEHIND. */
  accepted?: RouteAnswer | true;
  /** Other answers (a 304). */
  responses?: ApiResponseOptions[];
  badRequest?: string;
  forbidden?: string;
  notFound?: string;
  conflict?: string;
  /** `true`: IF_MATCH_MISMATCH. */
  preconditionFailed?: string | true;
  unprocessable?: string;
}

const answer = (value: RouteAnswer): Exclude<RouteAnswer, Type<unknown>> => (typeof value === 'function' ? { type: value } : value);
const problem = (description: string) => ({ description });

/**
 * The Swagger decorators of a route, in the order a handler would stack them. Decorators stacked
 * on a method apply bottom-up, `applyDecorators` in the order given: they are given reversed, so the
 * document (parameters keep the order they were declared in) is the one the stack made.
 */
function routeDocs(docs: RouteDocs): MethodDecorator {
  const stack: MethodDecorator[] = [
    ApiOperation(docs.description === undefined ? { summary: docs.summary } : { summary: docs.summary, description: docs.description }),
    ...(docs.extraModels?.length ? [ApiExtraModels(...docs.extraModels)] : []),
    ...(docs.body ? [ApiBody(docs.body)] : []),
    ...(docs.params ?? []).map((param) => ApiParam(param)),
    ...(docs.ifMatch ? [ApiHeader({ name: 'If-Match', required: false, description: docs.ifMatch === true ? IF_MATCH_COMMAND : docs.ifMatch })] : []),
    ...(docs.headers ?? []).map((header) => ApiHeader(header)),
    ...(docs.ok ? [ApiOkResponse(answer(docs.ok))] : []),
    ...(docs.created ? [ApiCreatedResponse(answer(docs.created))] : []),
    ...(docs.accepted ? [ApiAcceptedResponse(docs.accepted === true ? { type: AcceptedDto, description: READ_MODEL_BEHIND } : answer(docs.accepted))] : []),
    ...(docs.responses ?? []).map((response) => ApiResponse(response)),
    ...(docs.badRequest ? [ApiBadRequestResponse(problem(docs.badRequest))] : []),
    ...(docs.forbidden ? [ApiForbiddenResponse(problem(docs.forbidden))] : []),
    ...(docs.notFound ? [ApiNotFoundResponse(problem(docs.notFound))] : []),
    ...(docs.conflict ? [ApiConflictResponse(problem(docs.conflict))] : []),
    ...(docs.preconditionFailed ? [ApiPreconditionFailedResponse(problem(docs.preconditionFailed === true ? IF_MATCH_MISMATCH : docs.preconditionFailed))] : []),
    ...(docs.unprocessable ? [ApiUnprocessableEntityResponse(problem(docs.unprocessable))] : []),
  ];
  return applyDecorators(...stack.reverse());
}

/** A command route: what it creates (201) or answers (200) — or only its 202, when it runs asynchronously —, If-Match, and why it refuses. */
export const CommandRoute = (docs: RouteDocs & ({ created: RouteAnswer } | { ok: RouteAnswer } | { accepted: RouteAnswer | true })): MethodDecorator =>
  routeDocs(docs);

/** A read of one resource (or a computation that writes nothing): its answer and why it can be missing. */
export const ReadRoute = (docs: RouteDocs & { ok: RouteAnswer }): MethodDecorator => routeDocs(docs);

/** A list route: the page DTO it answers (`{ items, next_cursor }`), and why it can answer none. */
export const PageRoute = ({ page, ...docs }: Omit<RouteDocs, 'ok' | 'created' | 'accepted' | 'ifMatch'> & { page: Type<unknown> }): MethodDecorator =>
  routeDocs({ ...docs, ok: page });
