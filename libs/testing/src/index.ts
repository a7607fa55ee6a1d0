export * from './infra';
export * from './helpers';
export * from './process';
export * from './query-plans';
export * from './platform';
export * from './outages';
export * from './specification';
export * from './s3-server';
