import { NameClaimCreation, NameClaimEvent, NamedKind } from '@mlops/events';
import { conflict, Decider } from '@mlops/event-sourcing';

/** Who holds a name: the key of the experiment or model, and the version of its stream the claim was taken at. */
export interface NameHolder {
  key: string;
  at_version: number;
  created?: NameClaimCreation;
}

export interface NameClaimState {
  holder: NameHolder | null;
}

/**
 * The current holder as its own stream tells it (read by the caller from the event store):
 * `called` — it is called the name; `pending` — not yet, but its stream is still at the claim's
 * version, so the create or rename the claim announced may still land; `gone` — neither, so that
 * append can never land (its stream moved on, or it no longer exists) and the name is free.
 */
export type HolderStanding = 'called' | 'pending' | 'gone';

export type NameClaimCommand =
  | {
      type: 'ClaimName';
      data: {
        kind: NamedKind;
        name: string;
        key: string;
        at_version: number;
        created?: NameClaimCreation;
        /** The standing of the current holder; null when there is none, or when it is `key` renaming again. */
        holder_standing: HolderStanding | null;
      };
    }
  | { type: 'ReleaseName'; data: { kind: NamedKind; name: string; key: string } };

const STREAM_PREFIX: Record<NamedKind, string> = { experiment: 'experiment_name:', registered_model: 'registered_model_name:' };
export const nameClaimStreamId = (kind: NamedKind, name: string) => `${STREAM_PREFIX[kind]}${name}`;

const describe = (kind: NamedKind) => (kind === 'experiment' ? 'Experiment' : 'Registered model');

export function decide(command: NameClaimCommand, state: NameClaimState): NameClaimEvent[] {
  switch (command.type) {
    case 'ClaimName': {
      const { holder_standing, ...claim } = command.data;
      // A create's key may be another create's (the name itself): the holder counts as another then too.
      const other = state.holder && (state.holder.key !== claim.key || claim.created !== undefined) ? state.holder : null;
      if (other && holder_standing !== 'gone') throw conflict(`${describe(claim.kind)} ${claim.name} already exists`);
      return [{ type: 'NameClaimed', data: claim }];
    }
    case 'ReleaseName': {
      const { kind, name, key } = command.data;
      return state.holder?.key === key ? [{ type: 'NameReleased', data: { kind, name, key } }] : [];
    }
  }
}

export function evolve(state: NameClaimState, event: NameClaimEvent): NameClaimState {
  switch (event.type) {
    case 'NameClaimed': {
      const { key, at_version, created } = event.data;
      return { holder: { key, at_version, ...(created ? { created } : {}) } };
    }
    case 'NameReleased':
      return state.holder?.key === event.data.key ? { holder: null } : state;
  }
}

export const initialState = (): NameClaimState => ({ holder: null });

export const nameClaimDecider: Decider<NameClaimCommand, NameClaimEvent, NameClaimState> = {
  decide,
  evolve,
  initialState,
  snapshot: { schema: 'name-claim.v1' },
};
