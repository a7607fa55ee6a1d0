import { DomainError, foldEvents } from '@mlops/event-sourcing';
import { ScenarioDefinition, ScenarioEvent } from '@mlops/events';
import { ScenarioCommand, scenarioDecider } from './scenario.decider';
import { DeciderSpecification } from '@mlops/testing';

const definition: ScenarioDefinition = {
  description: 'holdout',
  tags: ['q4'],
  cases: { source: 'inline', payload: { sha256: 'a'.repeat(64), size_bytes: 100 }, case_count: 3, slice_keys: ['country'] },
  labels: [0, 1],
  positive_label: 1,
  metrics: ['accuracy', 'f1', 'roc_auc'],
  thresholds: [{ metric: 'f1', min: 0.8, max: null }],
  assertions: [],
};
const created: ScenarioEvent = { type: 'ScenarioCreated', data: { name: 'churn', task_type: 'binary_classification', version: 1, ...definition } };

const { given } = DeciderSpecification.for(scenarioDecider);
const change = (changes: Partial<ScenarioDefinition>): ScenarioCommand => ({ type: 'ChangeScenario', data: { name: 'churn', changes } });

describe('scenario decider', () => {
  it('creates version 1', () => {
    given().when({ type: 'CreateScenario', data: { name: 'churn', task_type: 'binary_classification', definition } }).then([created]);
  });

  it('refuses a duplicate name (409)', () => {
    const attempt = () => given(created).when({ type: 'CreateScenario', data: { name: 'churn', task_type: 'binary_classification', definition } }).events();
    expect(attempt).toThrow(/already exists/);
  });

  it.each([
    ['a metric of another task type', { metrics: ['accuracy', 'rmse'] }, /rmse is not a binary_classification metric/],
    ['a threshold on a metric not computed', { thresholds: [{ metric: 'log_loss', min: null, max: 0.5 }] }, /log_loss is not among/],
    ['a threshold with min above max', { thresholds: [{ metric: 'f1', min: 0.9, max: 0.1 }] }, /min is above max/],
    ['three classes in a binary task', { labels: [0, 1, 2] }, /at most 2 classes/],
    ['a positive label that is not a class', { positive_label: 7 }, /positive_label/],
    ['mixed label types', { labels: [0, 'yes'] }, /must all be strings, all numbers or all booleans/],
    ['assertions outside text tasks', { assertions: [{ type: 'contains', value: 'x' }] }, /for text tasks/],
  ])('rejects %s as invalid input', (_label, changes, message) => {
    const attempt = () => given(created).when(change(changes as Partial<ScenarioDefinition>)).events();
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(message);
  });

  it('makes a new version with the full definition and what changed', () => {
    given(created).when(change({ thresholds: [{ metric: 'f1', min: 0.85, max: null }], description: 'holdout' })).then([
      { type: 'ScenarioVersionCreated', data: { name: 'churn', version: 2, changed: ['thresholds'], ...definition, thresholds: [{ metric: 'f1', min: 0.85, max: null }] } },
    ]);
  });

  it('makes no version when nothing changes, and keeps every past version', () => {
    given(created).when(change({ description: 'holdout', tags: ['q4'] })).thenNothing();
    const v2: ScenarioEvent = { type: 'ScenarioVersionCreated', data: { name: 'churn', version: 2, changed: ['metrics'], ...definition, metrics: ['accuracy', 'f1'] } };
    const state = foldEvents(scenarioDecider, [created, v2]);
    expect(state.versions.map((v) => [v.version, v.definition.metrics])).toEqual([
      [1, ['accuracy', 'f1', 'roc_auc']],
      [2, ['accuracy', 'f1']],
    ]);
  });

  it('refuses to change an unknown scenario (404)', () => {
    given().when(change({ description: 'x' })).thenThrows(/does not exist/);
  });
});
