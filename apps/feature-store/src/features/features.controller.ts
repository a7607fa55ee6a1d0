import { Body, Controller, Delete, Get, Headers, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { etagOf, ListQueryDto, parseIfMatch, sendCommandResult } from '@mlops/platform';
import { FEATURE_STORE_API } from '../routes';
import {
  CreateFeatureDto,
  CreateFeatureVersionDto,
  DeprecateFeatureQueryDto,
  FeatureDto,
  FeatureNameParamsDto,
  FeaturePageDto,
  FeatureVersionDto,
  FeatureVersionPageDto,
  FeatureVersionParamsDto,
  ListFeaturesQueryDto,
  UpdateFeatureDto,
} from './features.dto';
import { FeatureDocument, FeatureVersionDocument } from './features.projection';
import { FeatureCommandResult, FeaturesService } from './features.service';

const present = ({ _id, ...feature }: FeatureDocument): FeatureDto => feature;
const presentVersion = ({ _id, ...version }: FeatureVersionDocument): FeatureVersionDto => version;
const locationOf = (name: string) => `/${FEATURE_STORE_API}/${encodeURIComponent(name)}`;

function send(res: Response, result: FeatureCommandResult, created: boolean) {
  return sendCommandResult(res, result, { location: locationOf(result.name), created }, present);
}

@ApiTags('features')
@Controller(FEATURE_STORE_API)
export class FeaturesController {
  constructor(private readonly features: FeaturesService) {}

  @Post()
  @ApiOperation({ summary: 'Create a feature with its definition as version 1 (name unique)' })
  @ApiCreatedResponse({ type: FeatureDto })
  @ApiAcceptedResponse({ description: 'Stored; the read model did not catch up within the bound' })
  @ApiBadRequestResponse({ description: 'Invalid input, or constraints that do not fit the value type' })
  @ApiConflictResponse({ description: 'A feature with this name exists' })
  @ApiUnprocessableEntityResponse({ description: 'The source dataset is not registered, has no such column, or DuckDB cannot bind the SQL expression' })
  async create(@Body() dto: CreateFeatureDto, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.features.create(dto), true);
  }

  @Get()
  @ApiOperation({ summary: 'List features (filters: entity, owner, tag, status)' })
  @ApiOkResponse({ type: FeaturePageDto })
  async list(@Query() query: ListFeaturesQueryDto): Promise<FeaturePageDto> {
    const page = await this.features.list(query);
    return { items: page.items.map(present), next_cursor: page.next_cursor };
  }

  @Get(':name')
  @ApiOperation({ summary: 'Get a feature with its latest version' })
  @ApiOkResponse({ type: FeatureDto })
  @ApiNotFoundResponse({ description: 'No such feature' })
  async get(@Param() params: FeatureNameParamsDto, @Res({ passthrough: true }) res: Response): Promise<FeatureDto> {
    const feature = await this.features.get(params.name);
    res.setHeader('ETag', etagOf(feature.version));
    return present(feature);
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Update description, owner, tags or status (active ↔ deprecated)' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag ("<version>") the update applies to' })
  @ApiOkResponse({ type: FeatureDto })
  @ApiNotFoundResponse({ description: 'No such feature' })
  @ApiConflictResponse({ description: 'A concurrent change won' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version' })
  async update(
    @Param() params: FeatureNameParamsDto,
    @Body() dto: UpdateFeatureDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.features.update(params.name, dto, parseIfMatch(ifMatch)), false);
  }

  @Delete(':name')
  @ApiOperation({ summary: 'Deprecate a feature (soft: history kept, no new versions); repeating it changes nothing' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag ("<version>") the deprecation applies to' })
  @ApiOkResponse({ type: FeatureDto })
  @ApiNotFoundResponse({ description: 'No such feature' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version' })
  async deprecate(
    @Param() params: FeatureNameParamsDto,
    @Query() query: DeprecateFeatureQueryDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.features.deprecate(params.name, query.reason, parseIfMatch(ifMatch)), false);
  }

  @Post(':name/versions')
  @ApiOperation({
    summary: 'Create version N+1 from a changed type, schema or source (omitted ones carry over); versions are immutable',
    description: 'The version records its changelog, who and when, and whether it is backward compatible with the previous one.',
  })
  @ApiCreatedResponse({ type: FeatureVersionDto })
  @ApiNotFoundResponse({ description: 'No such feature' })
  @ApiConflictResponse({ description: 'A concurrent version won' })
  @ApiUnprocessableEntityResponse({ description: 'Deprecated feature, unchanged definition, or an unusable source' })
  async createVersion(@Param() params: FeatureNameParamsDto, @Body() dto: CreateFeatureVersionDto, @Res({ passthrough: true }) res: Response) {
    const result = await this.features.createVersion(params.name, dto);
    const location = `${locationOf(result.name)}/versions/${result.featureVersion}`;
    // The version this command created, not the latest: a racing command may already have added the next one.
    const created = result.doc ? await this.features.version(result.name, result.featureVersion) : null;
    return sendCommandResult(res, result, { location, created: true }, () => presentVersion(created!));
  }

  @Get(':name/versions')
  @ApiOperation({ summary: 'Version history, oldest first' })
  @ApiOkResponse({ type: FeatureVersionPageDto })
  @ApiNotFoundResponse({ description: 'No such feature' })
  async history(@Param() params: FeatureNameParamsDto, @Query() query: ListQueryDto): Promise<FeatureVersionPageDto> {
    const page = await this.features.history(params.name, query);
    return { items: page.items.map(presentVersion), next_cursor: page.next_cursor };
  }

  @Get(':name/versions/:version')
  @ApiOperation({ summary: 'One version (immutable: its ETag is its version number)' })
  @ApiOkResponse({ type: FeatureVersionDto })
  @ApiNotFoundResponse({ description: 'No such feature version' })
  async version(@Param() params: FeatureVersionParamsDto, @Res({ passthrough: true }) res: Response): Promise<FeatureVersionDto> {
    const version = await this.features.version(params.name, params.version);
    res.setHeader('ETag', etagOf(version.version));
    return presentVersion(version);
  }
}
