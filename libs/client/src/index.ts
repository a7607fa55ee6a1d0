// Browser- and Node-safe entry: the generated types, the typed client and the React hooks.
export type { paths, components, operations } from './schema';
export * from './problem';
export * from './client';
export * from './lifecycle';
export * from './hooks/api-context';
export * from './hooks/use-model-lifecycle';
