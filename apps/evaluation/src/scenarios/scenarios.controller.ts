import { Body, Controller, Get, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
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
import { notFound } from '@mlops/event-sourcing';
import { createdReply, IfMatch, presentPage, updatedReply, withVersionTag } from '@mlops/platform';
import { EVALUATION_API } from '../routes';
import { CreateScenarioDto, ListScenariosQueryDto, ScenarioDto, ScenarioNameParamsDto, ScenarioPageDto, ScenarioVersionDto, UpdateScenarioDto } from './scenarios.dto';
import { presentScenario, presentScenarioVersion, scenarioLocation } from './scenarios.presenter';
import { ScenariosService } from './scenarios.service';

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
  async create(@Body() dto: CreateScenarioDto) {
    return createdReply(await this.scenarios.create(dto), scenarioLocation(dto.name), presentScenario);
  }

  @Get()
  @ApiOperation({ summary: 'List scenarios (filters: task_type, tag), by name' })
  @ApiOkResponse({ type: ScenarioPageDto })
  async list(@Query() query: ListScenariosQueryDto): Promise<ScenarioPageDto> {
    return presentPage(await this.scenarios.list(query), presentScenario);
  }

  @Get(':name')
  @ApiOperation({ summary: 'Get a scenario: its latest definition and its version history' })
  @ApiOkResponse({ type: ScenarioDto })
  @ApiNotFoundResponse({ description: 'No such scenario' })
  async get(@Param() params: ScenarioNameParamsDto) {
    const doc = await this.scenarios.get(params.name);
    return withVersionTag(doc.version, presentScenario(doc));
  }

  @Get(':name/versions/:version')
  @ApiOperation({ summary: 'Get one scenario version’s definition (what its runs were evaluated against)' })
  @ApiOkResponse({ type: ScenarioVersionDto })
  @ApiParam({ name: 'version', schema: { type: 'integer', minimum: 1 } })
  @ApiNotFoundResponse({ description: 'No such scenario or version' })
  async version(@Param('name') name: string, @Param('version', ParseIntPipe) version: number) {
    const doc = await this.scenarios.get(name);
    const found = doc.versions.find((v) => v.version === version);
    if (!found) throw notFound(`Scenario ${name} has no version ${version}`);
    return withVersionTag(doc.version, presentScenarioVersion(doc, found));
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Change a scenario: any change makes a new version (past runs keep theirs); no change, no version' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag ("<version>") the change applies to' })
  @ApiOkResponse({ type: ScenarioDto })
  @ApiBadRequestResponse({ description: 'Invalid input (problem+json with errors[])' })
  @ApiNotFoundResponse({ description: 'No such scenario' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version' })
  async update(@Param() params: ScenarioNameParamsDto, @Body() dto: UpdateScenarioDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.scenarios.update(params.name, dto, ifMatch), scenarioLocation(params.name), presentScenario);
  }
}
