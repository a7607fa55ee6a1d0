import 'reflect-metadata';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPreconditionFailedResponse,
  ApiProperty,
  ApiResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AcceptedDto } from './accepted.dto';
import { CommandRoute, IF_MATCH_COMMAND, IF_MATCH_MISMATCH, PageRoute, READ_MODEL_BEHIND, ReadRoute } from './route-docs';

class ThingDto {
  @ApiProperty() name!: string;
}
class ThingPageDto {
  @ApiProperty({ type: [ThingDto] }) items!: ThingDto[];
}

// What the OpenAPI document is built from: @nestjs/swagger's metadata on each handler.
const KEYS = ['swagger/apiOperation', 'swagger/apiResponse', 'swagger/apiParameters', 'swagger/apiExtraModels'];
const metadataOf = (handler: object) => Object.fromEntries(KEYS.map((key) => [key, Reflect.getMetadata(key, handler)]));

class Stacked {
  @ApiOperation({ summary: 'Create a thing', description: 'Version 1' })
  @ApiCreatedResponse({ type: ThingDto })
  @ApiAcceptedResponse({ type: AcceptedDto, description: READ_MODEL_BEHIND })
  @ApiBadRequestResponse({ description: 'Invalid input' })
  @ApiUnprocessableEntityResponse({ description: 'Not now' })
  create() {}

  @ApiOperation({ summary: 'Change a thing' })
  @ApiParam({ name: 'version', schema: { type: 'integer' } })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag the change applies to' })
  @ApiHeader({ name: 'If-None-Match', required: false })
  @ApiOkResponse({ type: ThingDto, description: 'ETag: its version' })
  @ApiResponse({ status: 304, description: 'Not modified' })
  @ApiNotFoundResponse({ description: 'No such thing' })
  @ApiPreconditionFailedResponse({ description: IF_MATCH_MISMATCH })
  update() {}

  @ApiOperation({ summary: 'Get a thing' })
  @ApiOkResponse({ type: ThingDto })
  @ApiNotFoundResponse({ description: 'No such thing' })
  get() {}

  @ApiOperation({ summary: 'List things' })
  @ApiOkResponse({ type: ThingPageDto })
  list() {}

  @ApiOperation({ summary: 'Queue a thing' })
  @ApiExtraModels(ThingPageDto)
  @ApiHeader({ name: 'If-Match', required: false, description: IF_MATCH_COMMAND })
  @ApiAcceptedResponse({ type: ThingDto, description: 'Queued' })
  queue() {}
}

class Composed {
  @CommandRoute({ summary: 'Create a thing', description: 'Version 1', created: ThingDto, accepted: true, badRequest: 'Invalid input', unprocessable: 'Not now' })
  create() {}

  @CommandRoute({
    summary: 'Change a thing',
    params: [{ name: 'version', schema: { type: 'integer' } }],
    ifMatch: 'ETag the change applies to',
    headers: [{ name: 'If-None-Match', required: false }],
    ok: { type: ThingDto, description: 'ETag: its version' },
    responses: [{ status: 304, description: 'Not modified' }],
    notFound: 'No such thing',
    preconditionFailed: true,
  })
  update() {}

  @ReadRoute({ summary: 'Get a thing', ok: ThingDto, notFound: 'No such thing' })
  get() {}

  @PageRoute({ summary: 'List things', page: ThingPageDto })
  list() {}

  @CommandRoute({ summary: 'Queue a thing', extraModels: [ThingPageDto], ifMatch: true, accepted: { type: ThingDto, description: 'Queued' } })
  queue() {}
}

describe('route decorators', () => {
  it.each(['create', 'update', 'get', 'list', 'queue'] as const)('leave on %s the metadata the stacked Swagger decorators leave', (handler) => {
    const composed = metadataOf(Composed.prototype[handler]);
    expect(composed['swagger/apiOperation']).toBeDefined();
    expect(composed).toEqual(metadataOf(Stacked.prototype[handler]));
    // Parameters keep their declared order, and responses their keys, as the stack would have made them.
    expect(JSON.stringify(composed)).toBe(JSON.stringify(metadataOf(Stacked.prototype[handler])));
  });
});
