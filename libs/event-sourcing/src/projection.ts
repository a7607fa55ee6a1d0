import { CloudEvent } from '@mlops/events';

/** A read-model document: one per stream, `_id` = stream id, `version` = last applied stream version. */
export interface ReadModelDocument {
  _id: string;
  version: number;
}

export type ReadModelFields<Doc extends ReadModelDocument> = Omit<Doc, '_id' | 'version'>;

/**
 * How one read model follows one topic. `evolve` is pure: the current document (null before the
 * stream's first event) and the next event in, the next document out.
 */
export interface Projection<Doc extends ReadModelDocument> {
  /** Also the MongoDB collection name and part of the consumer group id. */
  name: string;
  topic: string;
  /** Stream type (`experiment` for `experiment:<name>`) whose events this read model follows. */
  streamType: string;
  evolve(current: Doc | null, event: CloudEvent): ReadModelFields<Doc>;
}

export const PROJECTION_STATE_COLLECTION = 'projection_state';

export interface ProjectionStateDocument {
  _id: string;
  /** Bumped by a rebuild: the runner then replays the topic from the start under a new consumer group. */
  generation: number;
  rebuild_requested_at?: Date;
}
