import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AcceptedDto, CommandReply, CommandRoute, IfMatch, ReadRoute, ResourceRoutes, withVersionTag } from '@mlops/platform';
import { LIFECYCLE_API } from '../routes';
import {
  CompareModelVersionsDto,
  ComparisonDto,
  ListModelVersionsQueryDto,
  ModelNameParamsDto,
  ModelVersionDto,
  ModelVersionPageDto,
  ModelVersionParamsDto,
  RegisterModelVersionDto,
  UpdateModelVersionDto,
} from './models.dto';
import { modelVersionLocation, presentListedModelVersion, presentModelVersion, presentModelVersionNumbered } from './models.presenter';
import { ModelCommandResult, ModelsService } from './models.service';

/** Answers with the model version the command was about (the model's stream version as the ETag). */
const versionReply = (result: ModelCommandResult, created: boolean) =>
  new CommandReply(result, modelVersionLocation(result.modelName, result.versionNumber), created, presentModelVersionNumbered(result.versionNumber));

@ApiTags('models')
@Controller(`${LIFECYCLE_API}/models`)
@ResourceRoutes({
  service: ModelsService,
  order: ['register', 'list', 'get', 'update', 'compare'],
  present: presentListedModelVersion,
  list: { query: ListModelVersionsQueryDto, docs: { summary: 'List model versions (filters: model_name, stage), by model then version', page: ModelVersionPageDto } },
})
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Post()
  @CommandRoute({
    summary: 'Register a model version from a run; the version number is the model’s next, never reused',
    created: { type: ModelVersionDto, description: 'ETag: the model’s stream version' },
    accepted: { type: AcceptedDto, description: 'Stored; the read model did not catch up within the bound' },
    badRequest: 'Invalid input (problem+json)',
    notFound: 'No such run',
  })
  async register(@Body() dto: RegisterModelVersionDto) {
    return versionReply(await this.models.register(dto), true);
  }

  @Get(':model_name/:version')
  @ReadRoute({
    summary: 'Get a model version with its metrics, params, release checklist and stage',
    ok: { type: ModelVersionDto, description: 'ETag: the model’s stream version (all versions share it)' },
    notFound: 'No such model version',
  })
  async get(@Param() params: ModelVersionParamsDto) {
    const { model, view } = await this.models.get(params.model_name, params.version);
    return withVersionTag(model.version, presentModelVersion(view));
  }

  @Patch(':model_name/:version')
  @CommandRoute({
    summary: 'Check or uncheck checklist items, change description, tags or stage',
    description: 'Checklist changes apply first, then the stage. Promotion to production needs every required item checked (422 naming the missing ones) and archives the previous production version in the same commit.',
    ifMatch: 'ETag ("<model stream version>") the update applies to',
    ok: ModelVersionDto,
    badRequest: 'Invalid input, or an item not on the checklist',
    notFound: 'No such model version',
    conflict: 'A concurrent change to the model',
    preconditionFailed: 'If-Match does not match the model’s current version',
    unprocessable: 'Illegal stage transition, or required checklist items unchecked',
  })
  async update(@Param() params: ModelVersionParamsDto, @Body() dto: UpdateModelVersionDto, @IfMatch() ifMatch?: number) {
    return versionReply(await this.models.update(params.model_name, params.version, dto, ifMatch), false);
  }

  @Post(':model_name/compare')
  @HttpCode(200)
  @CommandRoute({
    summary: 'Compare 2+ versions against the first: per metric each value, its delta and the best version; differing params; checklist and stage',
    ok: ComparisonDto,
    badRequest: 'Fewer than 2 versions, duplicates, or invalid input',
    notFound: 'No such model, or a version it does not have',
  })
  async compare(@Param() params: ModelNameParamsDto, @Body() dto: CompareModelVersionsDto): Promise<ComparisonDto> {
    return this.models.compare(params.model_name, dto);
  }
}
