/**
 * The envelope of every event on the wire and in the event store: CloudEvents 1.0 in structured
 * JSON mode (the Kafka message value is this object; header `content-type:
 * application/cloudevents+json`), plus the extensions below.
 */
export interface CloudEvent<Data = Record<string, unknown>> {
  specversion: '1.0';
  id: string;
  /** URI-reference of the emitting service, e.g. `/mlops/lifecycle`. */
  source: string;
  /** e.g. `mlops.lifecycle.experiment.created.v1` — never changed in place; a breaking change is a new `.vN`. */
  type: string;
  /** The stream id (`experiment:churn-model`); also the Kafka message key. */
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: Data;
  /** Position in the stream, gap-free from 1. */
  streamversion: number;
  actor: string;
  correlationid: string;
  causationid?: string;
}

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';
