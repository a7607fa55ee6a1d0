import { EVALUATION_API } from '../routes';
import type { ScenarioDto, ScenarioVersionDto } from './scenarios.dto';
import type { ScenarioDocument } from './scenarios.projection';

export const presentScenario = ({ _id, version: _streamVersion, latest_version, versions, ...scenario }: ScenarioDocument): ScenarioDto => ({
  ...scenario,
  version: latest_version,
  versions: versions.map(({ version, changed, created_at, created_by }) => ({ version, changed, created_at, created_by })),
});

/** One version's definition, with the scenario it belongs to. */
export function presentScenarioVersion(doc: ScenarioDocument, found: ScenarioDocument['versions'][number]): ScenarioVersionDto {
  const { version, changed, created_at, created_by, ...definition } = found;
  return { name: doc.name, task_type: doc.task_type, version, changed, created_at, created_by, ...definition };
}

export const scenarioLocation = (name: string) => `/${EVALUATION_API}/scenarios/${encodeURIComponent(name)}`;
