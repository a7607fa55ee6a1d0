import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CommandRoute, createdReply, IfMatch, ListQueryDto, PageRoute, presentPage, ReadRoute, ResourceRoutes, updatedReply, withVersionTag } from '@mlops/platform';
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
import { featureLocation, featureVersionLocation, presentFeature, presentFeatureVersion } from './features.presenter';
import { FeaturesService } from './features.service';

@ApiTags('features')
@Controller(FEATURE_STORE_API)
@ResourceRoutes({
  service: FeaturesService,
  id: 'name',
  params: FeatureNameParamsDto,
  location: featureLocation,
  present: presentFeature,
  create: {
    body: CreateFeatureDto,
    createdId: (result) => result.name,
    docs: {
      summary: 'Create a feature with its definition as version 1 (name unique)',
      created: FeatureDto,
      badRequest: 'Invalid input, or constraints that do not fit the value type',
      conflict: 'A feature with this name exists',
      unprocessable: 'The source dataset is not registered, has no such column, or DuckDB cannot bind the SQL expression',
    },
  },
  list: { query: ListFeaturesQueryDto, docs: { summary: 'List features (filters: entity, owner, tag, status)', page: FeaturePageDto } },
  get: { summary: 'Get a feature with its latest version', ok: FeatureDto, notFound: 'No such feature' },
  update: {
    body: UpdateFeatureDto,
    docs: {
      summary: 'Update description, owner, tags or status (active ↔ deprecated)',
      ok: FeatureDto,
      conflict: 'A concurrent change won',
    },
  },
})
export class FeaturesController {
  constructor(private readonly features: FeaturesService) {}

  @Delete(':name')
  @CommandRoute({
    summary: 'Deprecate a feature (soft: history kept, no new versions); repeating it changes nothing',
    ifMatch: 'ETag ("<version>") the deprecation applies to',
    ok: FeatureDto,
    notFound: 'No such feature',
    preconditionFailed: true,
  })
  async deprecate(@Param() params: FeatureNameParamsDto, @Query() query: DeprecateFeatureQueryDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.features.deprecate(params.name, query.reason, ifMatch), featureLocation(params.name), presentFeature);
  }

  @Post(':name/versions')
  @CommandRoute({
    summary: 'Create version N+1 from a changed type, schema or source (omitted ones carry over); versions are immutable',
    description: 'The version records its changelog, who and when, and whether it is backward compatible with the previous one.',
    created: FeatureVersionDto,
    notFound: 'No such feature',
    conflict: 'A concurrent version won',
    unprocessable: 'Deprecated feature, unchanged definition, or an unusable source',
  })
  async createVersion(@Param() params: FeatureNameParamsDto, @Body() dto: CreateFeatureVersionDto) {
    const result = await this.features.createVersion(params.name, dto);
    // The version this command created, not the latest: a racing command may already have added the next one.
    const created = result.doc ? await this.features.version(result.name, result.featureVersion) : null;
    return createdReply(result, featureVersionLocation(result.name, result.featureVersion), () => presentFeatureVersion(created!));
  }

  @Get(':name/versions')
  @PageRoute({ summary: 'Version history, oldest first', page: FeatureVersionPageDto, notFound: 'No such feature' })
  async history(@Param() params: FeatureNameParamsDto, @Query() query: ListQueryDto): Promise<FeatureVersionPageDto> {
    return presentPage(await this.features.history(params.name, query), presentFeatureVersion);
  }

  @Get(':name/versions/:version')
  @ReadRoute({ summary: 'One version (immutable: its ETag is its version number)', ok: FeatureVersionDto, notFound: 'No such feature version' })
  async version(@Param() params: FeatureVersionParamsDto) {
    const version = await this.features.version(params.name, params.version);
    return withVersionTag(version.version, presentFeatureVersion(version));
  }
}
