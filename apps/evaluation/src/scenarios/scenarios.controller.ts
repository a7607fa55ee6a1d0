import { Body, Controller, Get, Headers, Param, ParseIntPipe, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { notFound } from '@mlops/event-sourcing';
import { etagOf, parseIfMatch, sendCommandResult } from '@mlops/platform';
import { EVALUATION_API } from '../routes';
import { CreateScenarioDto, ListScenariosQueryDto, ScenarioDto, ScenarioNameParamsDto, ScenarioPageDto, ScenarioVersionDto, UpdateScenarioDto } from './scenarios.dto';
import { ScenarioDocument } from './scenarios.projection';
import { ScenariosService } from './scenarios.service';

export const present = ({ _id, version: _streamVersion, latest_version, versions, ...scenario }: ScenarioDocument): ScenarioDto => ({
  ...scenario,
  version: latest_version,
  versions: versions.map(({ version, changed, created_at, created_by }) => ({ version, changed, created_at, created_by })),
});
const locationOf = (name: string) => `/${EVALUATION_API}/scenarios/${encodeURIComponent(name)}`;

@ApiTags('scenarios')
@Controller(`${EVALUATION_API}/scenarios`)
export class ScenariosController {
  constructor(private readonly scenarios: ScenariosService) {}

  @Post()
  @ApiOperation({ summary: 'Create a scenario (version 1): task type, inline cases or a Feature Store dataset, metrics and pass thresholds' })
  @ApiCreatedResponse({ type: ScenarioDto, description: 'ETag: the scenario version' })
  @ApiAcceptedResponse({ description: 'Stored; the read model did not catch up within the bound' })
  @ApiBadRequestResponse({ description: 'Invalid input: fields, cases, metrics not of the task type, thresholds on unknown metrics (problem+json with errors[])' })
  @ApiNotFoundResponse({ description: 'The dataset is not registered' })
  @ApiConflictResponse({ description: 'A scenario with this name exists' })
  async create(@Body() dto: CreateScenarioDto, @Res({ passthrough: true }) res: Response) {
    const result = await this.scenarios.create(dto);
    return sendCommandResult(res, result, { location: locationOf(dto.name), created: true }, present);
  }

  @Get()
  @ApiOperation({ summary: 'List scenarios (filters: task_type, tag), by name' })
  @ApiOkResponse({ type: ScenarioPageDto })
  async list(@Query() query: ListScenariosQueryDto): Promise<ScenarioPageDto> {
    const page = await this.scenarios.list(query);
    return { items: page.items.map(present), next_cursor: page.next_cursor };
  }

  @Get(':name')
  @ApiOperation({ summary: 'Get a scenario: its latest definition and its version history' })
  @ApiOkResponse({ type: ScenarioDto })
  @ApiNotFoundResponse({ description: 'No such scenario' })
  async get(@Param() params: ScenarioNameParamsDto, @Res({ passthrough: true }) res: Response): Promise<ScenarioDto> {
    const doc = await this.scenarios.get(params.name);
    res.setHeader('ETag', etagOf(doc.version));
    return present(doc);
  }

  @Get(':name/versions/:version')
  @ApiOperation({ summary: 'Get one scenario version’s definition (what its runs were evaluated against)' })
  @ApiOkResponse({ type: ScenarioVersionDto })
  @ApiParam({ name: 'version', schema: { type: 'integer', minimum: 1 } })
  @ApiNotFoundResponse({ description: 'No such scenario or version' })
  async version(@Param('name') name: string, @Param('version', ParseIntPipe) version: number, @Res({ passthrough: true }) res: Response) {
    const doc = await this.scenarios.get(name);
    const found = doc.versions.find((v) => v.version === version);
    if (!found) throw notFound(`Scenario ${name} has no version ${version}`);
    res.setHeader('ETag', etagOf(doc.version));
    const { version: _v, changed, created_at, created_by, ...definition } = found;
    return { name: doc.name, task_type: doc.task_type, version, changed, created_at, created_by, ...definition };
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Change a scenario: any change makes a new version (past runs keep theirs); no change, no version' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag ("<version>") the change applies to' })
  @ApiOkResponse({ type: ScenarioDto })
  @ApiBadRequestResponse({ description: 'Invalid input (problem+json with errors[])' })
  @ApiNotFoundResponse({ description: 'No such scenario' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version' })
  async update(
    @Param() params: ScenarioNameParamsDto,
    @Body() dto: UpdateScenarioDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.scenarios.update(params.name, dto, parseIfMatch(ifMatch));
    return sendCommandResult(res, result, { location: locationOf(params.name), created: false }, present);
  }
}
