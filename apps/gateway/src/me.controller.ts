import { Controller, Get, Header, Req } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiResponse, ApiTags, ApiUnauthorizedResponse, type OpenAPIObject } from '@nestjs/swagger';
import type { Request } from 'express';
import { buildOpenApi, currentContext } from '@mlops/platform';
import { authenticationOf, type Authentication } from './auth';

export class CallerDto {
  @ApiProperty({ example: 'alice', description: 'The caller as every event records them (canonical form)' }) actor!: string;
  @ApiProperty({ type: [String], example: ['prompt-approver'], description: 'Roles the API key or the OIDC token grants (X-Roles when the gateway requires no credentials)' })
  roles!: string[];
  @ApiProperty({ enum: ['api_key', 'oidc', 'none'], description: 'none: the gateway requires no credentials and takes X-Actor / X-Roles as sent' })
  auth!: Authentication;
}

/** Who the gateway takes the caller to be, for clients that adapt to it (the console shows approvers the approval queue). */
@ApiTags('identity')
@Controller('api/v1/me')
export class MeController {
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The caller: actor, roles and how the gateway authenticated them' })
  @ApiOkResponse({ type: CallerDto })
  @ApiUnauthorizedResponse({ description: 'The gateway requires an API key or an OIDC token and the request carried no valid one' })
  // What the gateway will not forward, as the merged document states on every route.
  @ApiResponse({ status: 414, description: 'The request target is longer than the gateway forwards' })
  @ApiResponse({ status: 431, description: 'The request headers are larger than the gateway forwards' })
  me(@Req() req: Request): CallerDto {
    const context = currentContext();
    return { actor: context?.actor ?? 'anonymous', roles: context?.roles ?? [], auth: authenticationOf(req) };
  }
}

/** The gateway's own routes (this one) added to the services' merged document, so the client is generated with them. */
export function withGatewayRoutes(app: INestApplication): (merged: OpenAPIObject) => OpenAPIObject {
  const own = buildOpenApi(app, { title: 'gateway', description: '', version: '1.0.0' }, 'gateway');
  return (merged) => ({
    ...merged,
    tags: [...(merged.tags ?? []), ...(own.tags ?? []).filter((tag) => !merged.tags?.some((t) => t.name === tag.name))],
    paths: { ...merged.paths, ...own.paths },
    components: { ...merged.components, schemas: { ...merged.components?.schemas, ...own.components?.schemas } },
  });
}
