import { ArtifactEvent } from '@mlops/events';
import { Decider } from '@mlops/event-sourcing';

/** The write of one artifact file: the bytes are in the store already, the event records what was written. */
export type ArtifactCommand = { type: 'RecordStoredArtifact'; data: { path: string; size: number; sha256: string } };

export interface ArtifactState {
  /** What the path holds now (an upload to the same path replaces it). */
  size: number | null;
  sha256: string | null;
}

export const artifactStreamId = (path: string) => `artifact:${path}`;

export const artifactDecider: Decider<ArtifactCommand, ArtifactEvent, ArtifactState> = {
  decide: (command) => [{ type: 'ArtifactStored', data: command.data }],
  evolve: (_state, event) => ({ size: event.data.size, sha256: event.data.sha256 }),
  initialState: () => ({ size: null, sha256: null }),
  snapshot: { schema: 'artifact.v1' },
};
