import { Counter, Gauge, Histogram } from 'prom-client';

// Registered on prom-client's default registry, which libs/platform serves at /metrics.
export const eventsAppended = new Counter({
  name: 'mlops_events_appended_total',
  help: 'Events appended to the event store',
  labelNames: ['stream_type'],
});

export const streamLoadDocuments = new Histogram({
  name: 'mlops_event_store_load_documents',
  help: 'Documents one stream load read (its snapshot and the commits after it)',
  labelNames: ['stream_type'],
  buckets: [1, 2, 5, 10, 25, 50, 100, 500],
});

export const eventsPublished = new Counter({
  name: 'mlops_events_published_total',
  help: 'Events the outbox relay published to Kafka',
  labelNames: ['topic'],
});

export const outboxPublishErrors = new Counter({
  name: 'mlops_outbox_publish_errors_total',
  help: 'Failed outbox relay publish attempts (retried)',
});

export const outboxBacklog = new Gauge({
  name: 'mlops_outbox_backlog',
  help: 'Committed commits not yet published to Kafka, counted by the outbox lease holder after each sweep',
});

export const outboxDirectPublishFailures = new Counter({
  name: 'mlops_outbox_direct_publish_failures_total',
  help: 'Publishes right after an append that failed; the outbox sweep sends those commits',
});

export const projectionEventsApplied = new Counter({
  name: 'mlops_projection_events_applied_total',
  help: 'Events applied to read models (duplicates excluded)',
  labelNames: ['projection'],
});

export const projectionEventsSkipped = new Counter({
  name: 'mlops_projection_events_skipped_total',
  help: 'Redelivered or replayed events a projection skipped as already applied',
  labelNames: ['projection'],
});

export const projectionLag = new Gauge({
  name: 'mlops_projection_lag_messages',
  help: 'Messages behind the partition end, per projection (last batch)',
  labelNames: ['projection', 'partition'],
});

export const projectionDelay = new Histogram({
  name: 'mlops_projection_delay_seconds',
  help: 'Time from event append to read-model apply',
  labelNames: ['projection'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});
