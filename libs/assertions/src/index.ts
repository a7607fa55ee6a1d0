export * from './assertions';
