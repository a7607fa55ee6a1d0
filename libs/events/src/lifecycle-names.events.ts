import type { EventDefinition } from './catalog';
import type { KeyValue } from './lifecycle.events';
import nameClaimed from '../schemas/lifecycle/name.claimed.v1.json';
import nameReleased from '../schemas/lifecycle/name.released.v1.json';

/** What a name belongs to: streams `experiment_name:<name>` and `registered_model_name:<name>`. */
export type NamedKind = 'experiment' | 'registered_model';

/** What a create that claimed a name is about to write, so whoever finds the claim pending can complete it. */
export interface NameClaimCreation {
  description: string;
  /** Experiments. */
  owner?: string;
  tags?: string[];
  /** Registered models. */
  properties?: KeyValue[];
}

export interface NameClaimedData {
  kind: NamedKind;
  name: string;
  /** The stream key of the experiment or model that holds the name. */
  key: string;
  /** The holder's stream version the claim was taken at: its rename or create is appended at exactly this version. */
  at_version: number;
  /** Set when the claim is for a create (absent for a rename). */
  created?: NameClaimCreation;
}

export interface NameReleasedData {
  kind: NamedKind;
  name: string;
  key: string;
}

export type NameClaimEvent = { type: 'NameClaimed'; data: NameClaimedData } | { type: 'NameReleased'; data: NameReleasedData };

export const nameClaimEventDefinitions: EventDefinition[] = [
  { name: 'NameClaimed', type: 'mlops.lifecycle.name.claimed.v1', schema: nameClaimed },
  { name: 'NameReleased', type: 'mlops.lifecycle.name.released.v1', schema: nameReleased },
];
