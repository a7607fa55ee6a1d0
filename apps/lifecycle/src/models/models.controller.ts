import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
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
import { etagOf, parseIfMatch, sendCommandResult } from '@mlops/platform';
import { LIFECYCLE_API } from '../routes';
import { AcceptedDto } from '../experiments/experiments.dto';
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
import { ModelDocument, ModelVersionDocument, ModelVersionView } from './models.projection';
import { ModelCommandResult, ModelsService } from './models.service';

const presentView = (view: ModelVersionView): ModelVersionDto => view;
const presentListed = ({ _id, stream_version: _streamVersion, ...view }: ModelVersionDocument): ModelVersionDto => view;
const locationOf = (modelName: string, version: number) => `/${LIFECYCLE_API}/models/${encodeURIComponent(modelName)}/${version}`;

function send(res: Response, result: ModelCommandResult, created: boolean) {
  const present = (doc: ModelDocument) => presentView(doc.versions.find((v) => v.version === result.versionNumber)!);
  return sendCommandResult(res, result, { location: locationOf(result.modelName, result.versionNumber), created }, present);
}

@ApiTags('models')
@Controller(`${LIFECYCLE_API}/models`)
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Post()
  @ApiOperation({ summary: 'Register a model version from a run; the version number is the model’s next, never reused' })
  @ApiCreatedResponse({ type: ModelVersionDto, description: 'ETag: the model’s stream version' })
  @ApiAcceptedResponse({ type: AcceptedDto, description: 'Stored; the read model did not catch up within the bound' })
  @ApiBadRequestResponse({ description: 'Invalid input (problem+json)' })
  @ApiNotFoundResponse({ description: 'No such run' })
  async register(@Body() dto: RegisterModelVersionDto, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.models.register(dto), true);
  }

  @Get()
  @ApiOperation({ summary: 'List model versions (filters: model_name, stage), by model then version' })
  @ApiOkResponse({ type: ModelVersionPageDto })
  async list(@Query() query: ListModelVersionsQueryDto): Promise<ModelVersionPageDto> {
    const page = await this.models.list(query);
    return { items: page.items.map(presentListed), next_cursor: page.next_cursor };
  }

  @Get(':model_name/:version')
  @ApiOperation({ summary: 'Get a model version with its metrics, params, release checklist and stage' })
  @ApiOkResponse({ type: ModelVersionDto, description: 'ETag: the model’s stream version (all versions share it)' })
  @ApiNotFoundResponse({ description: 'No such model version' })
  async get(@Param() params: ModelVersionParamsDto, @Res({ passthrough: true }) res: Response): Promise<ModelVersionDto> {
    const { model, view } = await this.models.get(params.model_name, params.version);
    res.setHeader('ETag', etagOf(model.version));
    return presentView(view);
  }

  @Patch(':model_name/:version')
  @ApiOperation({
    summary: 'Check or uncheck checklist items, change description, tags or stage',
    description:
      'Checklist changes apply first, then the stage. Promotion to production needs every required item checked (422 naming the missing ones) and archives the previous production version in the same commit.',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag ("<model stream version>") the update applies to' })
  @ApiOkResponse({ type: ModelVersionDto })
  @ApiBadRequestResponse({ description: 'Invalid input, or an item not on the checklist' })
  @ApiNotFoundResponse({ description: 'No such model version' })
  @ApiConflictResponse({ description: 'A concurrent change to the model' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the model’s current version' })
  @ApiUnprocessableEntityResponse({ description: 'Illegal stage transition, or required checklist items unchecked' })
  async update(
    @Param() params: ModelVersionParamsDto,
    @Body() dto: UpdateModelVersionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.models.update(params.model_name, params.version, dto, parseIfMatch(ifMatch)), false);
  }

  @Post(':model_name/compare')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Compare 2+ versions against the first: per metric each value, its delta and the best version; differing params; checklist and stage',
  })
  @ApiOkResponse({ type: ComparisonDto })
  @ApiBadRequestResponse({ description: 'Fewer than 2 versions, duplicates, or invalid input' })
  @ApiNotFoundResponse({ description: 'No such model, or a version it does not have' })
  async compare(@Param() params: ModelNameParamsDto, @Body() dto: CompareModelVersionsDto): Promise<ComparisonDto> {
    return this.models.compare(params.model_name, dto);
  }
}
