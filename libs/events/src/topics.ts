/** One topic per domain; key = stream id; unlimited retention. */
export const Topics = {
  featureStore: 'mlops.feature-store.events.v1',
  lifecycle: 'mlops.lifecycle.events.v1',
  evaluation: 'mlops.evaluation.events.v1',
  promptGovernance: 'mlops.prompt-governance.events.v1',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];
