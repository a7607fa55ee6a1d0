import type { EvaluationTaskType, ScenarioDefinition, ScenarioEvent } from '@mlops/events';
import { conflict, Decider, invalidInput, notFound } from '@mlops/event-sourcing';
import { definitionProblems } from './scenario-definition';

export interface ScenarioVersion {
  version: number;
  definition: ScenarioDefinition;
}

export interface ScenarioState {
  exists: boolean;
  name: string;
  task_type: EvaluationTaskType | null;
  /** Every version's definition: past runs keep theirs. */
  versions: ScenarioVersion[];
}

export type ScenarioCommand =
  | { type: 'CreateScenario'; data: { name: string; task_type: EvaluationTaskType; definition: ScenarioDefinition } }
  | { type: 'ChangeScenario'; data: { name: string; changes: Partial<ScenarioDefinition> } };

export const SCENARIO_STREAM_PREFIX = 'scenario:';
export const scenarioStreamId = (name: string) => `${SCENARIO_STREAM_PREFIX}${name}`;

export const latestVersion = (state: ScenarioState) => state.versions[state.versions.length - 1];
export const findScenarioVersion = (state: ScenarioState, version: number) => state.versions.find((v) => v.version === version);

const DEFINITION_FIELDS: (keyof ScenarioDefinition)[] = ['description', 'tags', 'cases', 'labels', 'positive_label', 'metrics', 'thresholds', 'assertions'];
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function checked(task: EvaluationTaskType, definition: ScenarioDefinition): ScenarioDefinition {
  const problems = definitionProblems(task, definition);
  if (problems.length) throw invalidInput(`The scenario definition is invalid: ${problems.map((p) => p.message).join('; ')}`, problems);
  return definition;
}

export function decide(command: ScenarioCommand, state: ScenarioState): ScenarioEvent[] {
  switch (command.type) {
    case 'CreateScenario': {
      const { name, task_type, definition } = command.data;
      if (state.exists) throw conflict(`Scenario ${name} already exists`);
      return [{ type: 'ScenarioCreated', data: { name, task_type, version: 1, ...checked(task_type, definition) } }];
    }
    case 'ChangeScenario': {
      const { name, changes } = command.data;
      if (!state.exists) throw notFound(`Scenario ${name} does not exist`);
      const current = latestVersion(state);
      const next = checked(state.task_type!, { ...current.definition, ...changes });
      const changed = DEFINITION_FIELDS.filter((field) => !same(next[field], current.definition[field]));
      if (!changed.length) return [];
      return [{ type: 'ScenarioVersionCreated', data: { name, version: current.version + 1, changed, ...next } }];
    }
  }
}

const definitionOf = (data: ScenarioDefinition): ScenarioDefinition => {
  const { description, tags, cases, labels, positive_label, metrics, thresholds, assertions } = data;
  return { description, tags, cases, labels, positive_label, metrics, thresholds, assertions };
};

export function evolve(state: ScenarioState, event: ScenarioEvent): ScenarioState {
  switch (event.type) {
    case 'ScenarioCreated':
      return { exists: true, name: event.data.name, task_type: event.data.task_type, versions: [{ version: 1, definition: definitionOf(event.data) }] };
    case 'ScenarioVersionCreated':
      return { ...state, versions: [...state.versions, { version: event.data.version, definition: definitionOf(event.data) }] };
  }
}

export const initialState = (): ScenarioState => ({ exists: false, name: '', task_type: null, versions: [] });

export const scenarioDecider: Decider<ScenarioCommand, ScenarioEvent, ScenarioState> = {
  decide,
  evolve,
  initialState,
  // Bump when ScenarioState or evolve changes: older snapshots are then ignored.
  snapshot: { schema: 'scenario.v1' },
};
