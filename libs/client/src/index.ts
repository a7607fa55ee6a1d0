// Browser- and Node-safe entry: the generated types, the typed client and the React hooks.
export type { paths, components, operations } from './schema';
export * from './problem';
export * from './client';
export * from './caller';
export * from './lifecycle';
export * from './feature-store';
export * from './evaluation';
export * from './prompt-governance';
export * from './hooks/api-context';
export * from './hooks/query-kit';
export * from './hooks/use-caller';
export * from './hooks/use-model-lifecycle';
export * from './hooks/use-feature-store';
export * from './hooks/use-evaluation-harness';
export * from './hooks/use-prompt-governance';
