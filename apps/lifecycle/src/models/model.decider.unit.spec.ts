import { foldEvents } from '@mlops/event-sourcing';
import { ModelEvent } from '@mlops/events';
import { ModelCommand, modelDecider } from './model.decider';
import { DeciderSpecification } from '@mlops/testing';

const RUN = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
const NOW = '2026-01-02T00:00:00.000Z';
const CHECKLIST = [
  { key: 'evaluation_passed', required: true },
  { key: 'bias_review', required: true },
  { key: 'owner_signoff', required: false },
];

const registered = (version: number, stage: 'none' | 'staging' = 'none'): ModelEvent => ({
  type: 'ModelVersionRegistered',
  data: {
    model_name: 'churn',
    version,
    run_id: RUN,
    artifact_uri: `s3://m/${version}`,
    description: '',
    tags: [],
    metrics: [{ key: 'auc', value: 0.8 }],
    params: [{ key: 'lr', value: 0.1 }],
    checklist: CHECKLIST,
    stage,
  },
});
const staged = (version: number, from: 'none' | 'archived' = 'none'): ModelEvent => ({
  type: 'ModelVersionStageChanged',
  data: { model_name: 'churn', version, from, to: 'staging' },
});
const checked = (version: number, ...keys: string[]): ModelEvent => ({
  type: 'ModelVersionChecklistUpdated',
  data: { model_name: 'churn', version, items: keys.map((key) => ({ key, checked: true, by: 'ana', at: NOW })) },
});
const promoted = (version: number): ModelEvent => ({
  type: 'ModelVersionStageChanged',
  data: { model_name: 'churn', version, from: 'staging', to: 'production' },
});

const { given } = DeciderSpecification.for(modelDecider);

const register = (overrides: Partial<Extract<ModelCommand, { type: 'RegisterModelVersion' }>['data']> = {}): ModelCommand => ({
  type: 'RegisterModelVersion',
  data: {
    model_name: 'churn',
    run_id: RUN,
    run: { params: [{ key: 'lr', value: 0.1 }], metrics: [{ key: 'auc', value: 0.8 }] },
    artifact_uri: 's3://m/1',
    description: '',
    tags: [],
    checklist: CHECKLIST,
    stage: 'none',
    ...overrides,
  },
});
const update = (version: number, data: Omit<Extract<ModelCommand, { type: 'UpdateModelVersion' }>['data'], 'model_name' | 'version' | 'actor' | 'now'>): ModelCommand => ({
  type: 'UpdateModelVersion',
  data: { model_name: 'churn', version, actor: 'ana', now: NOW, ...data },
});

describe('model decider', () => {
  it('registers version 1, then the next number, copying the run’s metrics and params', () => {
    given().when(register()).then([registered(1)]);
    given(registered(1), registered(2)).when(register({ artifact_uri: 's3://m/3' })).then([registered(3)]);
  });

  it('takes given metrics instead of the run’s', () => {
    const [event] = given().when(register({ metrics: [{ key: 'f1', value: 0.5 }] })).events();
    expect(event.data).toMatchObject({ metrics: [{ key: 'f1', value: 0.5 }], params: [{ key: 'lr', value: 0.1 }] });
  });

  it('refuses a registration from an unknown run (not found)', () => {
    given().when(register({ run: null })).thenThrows('not_found');
  });

  it('refuses to update a version that does not exist', () => {
    given(registered(1)).when(update(2, { description: 'x' })).thenThrows('not_found');
  });

  it('checks items with who and when, and only the ones that change', () => {
    given(registered(1), checked(1, 'bias_review')).when(update(1, { checklist: [{ key: 'bias_review', checked: true }, { key: 'evaluation_passed', checked: true }] })).then([
      checked(1, 'evaluation_passed'),
    ]);
  });

  it('refuses checklist items that are not on the version’s checklist (invalid input naming them)', () => {
    given(registered(1)).when(update(1, { checklist: [{ key: 'legal', checked: true }] })).thenThrows(/legal/);
  });

  it('refuses production while a required item is unchecked, naming the items', () => {
    const attempt = () => given(registered(1), staged(1), checked(1, 'bias_review')).when(update(1, { stage: 'production' })).events();
    expect(attempt).toThrow(expect.objectContaining({ kind: 'invalid_state', message: expect.stringContaining('evaluation_passed') }));
    expect(attempt).not.toThrow(/bias_review|owner_signoff/);
  });

  it('promotes in the same command that checks the last required item', () => {
    given(registered(1), staged(1), checked(1, 'bias_review')).when(update(1, { checklist: [{ key: 'evaluation_passed', checked: true }], stage: 'production' })).then([
      checked(1, 'evaluation_passed'),
      promoted(1),
    ]);
  });

  it('archives the previous production version in the same command', () => {
    const past = [registered(1), staged(1), checked(1, 'bias_review', 'evaluation_passed'), promoted(1), registered(2, 'staging'), checked(2, 'bias_review', 'evaluation_passed')];
    given(...past).when(update(2, { stage: 'production' })).then([
      promoted(2),
      { type: 'ModelVersionStageChanged', data: { model_name: 'churn', version: 1, from: 'production', to: 'archived', superseded_by: 2 } },
    ]);
  });

  it('allows archived → staging but not none → production or archived → production', () => {
    const archived: ModelEvent = { type: 'ModelVersionStageChanged', data: { model_name: 'churn', version: 1, from: 'none', to: 'archived' } };
    given(registered(1), archived).when(update(1, { stage: 'staging' })).then([staged(1, 'archived')]);
    given(registered(1), checked(1, 'bias_review', 'evaluation_passed')).when(update(1, { stage: 'production' })).thenThrows('invalid_state');
    given(registered(1), archived).when(update(1, { stage: 'production' })).thenThrows('invalid_state');
  });

  it('writes nothing when nothing changes', () => {
    given(registered(1)).when(update(1, { description: '', tags: [], stage: 'none' })).thenNothing();
  });

  it('unchecking clears who and when', () => {
    const state = foldEvents(modelDecider, [
      registered(1),
      checked(1, 'bias_review'),
      { type: 'ModelVersionChecklistUpdated', data: { model_name: 'churn', version: 1, items: [{ key: 'bias_review', checked: false, by: 'bo', at: NOW }] } },
    ]);
    expect(state.versions[0].checklist[1]).toEqual({ key: 'bias_review', required: true, checked: false, checked_by: null, checked_at: null });
  });
});
