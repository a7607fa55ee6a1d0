import { Controller, Get, Param, ParseIntPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { notFound } from '@mlops/event-sourcing';
import { ReadRoute, ResourceRoutes, withVersionTag } from '@mlops/platform';
import { EVALUATION_API } from '../routes';
import { CreateScenarioDto, ListScenariosQueryDto, ScenarioDto, ScenarioNameParamsDto, ScenarioPageDto, ScenarioVersionDto, UpdateScenarioDto } from './scenarios.dto';
import { presentScenario, presentScenarioVersion, scenarioLocation } from './scenarios.presenter';
import { ScenariosService } from './scenarios.service';

@ApiTags('scenarios')
@Controller(`${EVALUATION_API}/scenarios`)
@ResourceRoutes({
  service: ScenariosService,
  order: ['create', 'list', 'get', 'version', 'update'],
  id: 'name',
  params: ScenarioNameParamsDto,
  location: scenarioLocation,
  present: presentScenario,
  create: {
    body: CreateScenarioDto,
    createdId: (_, dto) => dto.name,
    docs: {
      summary: 'Create a scenario (version 1): task type, inline cases or a Feature Store dataset, metrics and pass thresholds',
      created: { type: ScenarioDto, description: 'ETag: the scenario version' },
      badRequest: 'Invalid input: fields, cases, metrics not of the task type, thresholds on unknown metrics (problem+json with errors[])',
      notFound: 'The dataset is not registered',
      conflict: 'A scenario with this name exists',
    },
  },
  list: { query: ListScenariosQueryDto, docs: { summary: 'List scenarios (filters: task_type, tag), by name', page: ScenarioPageDto } },
  get: { summary: 'Get a scenario: its latest definition and its version history', ok: ScenarioDto, notFound: 'No such scenario' },
  update: {
    body: UpdateScenarioDto,
    docs: {
      summary: 'Change a scenario: any change makes a new version (past runs keep theirs); no change, no version',
      ok: ScenarioDto,
      badRequest: 'Invalid input (problem+json with errors[])',
    },
  },
})
export class ScenariosController {
  constructor(private readonly scenarios: ScenariosService) {}

  @Get(':name/versions/:version')
  @ReadRoute({
    summary: 'Get one scenario version’s definition (what its runs were evaluated against)',
    params: [{ name: 'version', schema: { type: 'integer', minimum: 1 } }],
    ok: ScenarioVersionDto,
    notFound: 'No such scenario or version',
  })
  async version(@Param('name') name: string, @Param('version', ParseIntPipe) version: number) {
    const doc = await this.scenarios.get(name);
    const found = doc.versions.find((v) => v.version === version);
    if (!found) throw notFound(`Scenario ${name} has no version ${version}`);
    return withVersionTag(doc.version, presentScenarioVersion(doc, found));
  }
}
