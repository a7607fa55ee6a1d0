export * from './cloud-event';
export * from './topics';
export * from './catalog';
export * from './validation';
export * from './lifecycle.events';
export * from './feature-store.events';
export * from './evaluation.events';
export * from './prompt-governance.events';
