import { TemplateEvent } from '@mlops/events';
import { TemplateCommand, templateDecider } from './template.decider';
import { DeciderSpecification } from '@mlops/testing';

const T = 'support-answer';
const ROLE = 'prompt-approver';

const created = (policy = { require_passing_evaluation: false }): TemplateEvent => ({
  type: 'TemplateCreated',
  data: { template_id: T, name: 'Support answer', description: '', type: 'text', owner: 'ana', tags: [], policy },
});
const versionCreated = (version: number, author = 'ana', template = 'Answer {{question}}'): TemplateEvent => ({
  type: 'TemplateVersionCreated',
  data: { template_id: T, version, template, variables: ['question'], declared_variables: null, config_json: '{}', commit_message: `v${version}`, author },
});
const latestMoved = (to: number, from: number | null = to > 1 ? to - 1 : null, by = 'ana'): TemplateEvent => ({
  type: 'TemplateLabelMoved',
  data: { template_id: T, label: 'latest', from_version: from, to_version: to, moved_by: by, automatic: true },
});
const submitted = (version: number, by = 'bo'): TemplateEvent => ({ type: 'TemplateVersionSubmitted', data: { template_id: T, version, submitted_by: by } });
const approved = (version: number, by = 'cy'): TemplateEvent => ({ type: 'TemplateVersionApproved', data: { template_id: T, version, approved_by: by, comment: '' } });
const evaluated = (version: number, passed: boolean): TemplateEvent => ({
  type: 'TemplateVersionEvaluated',
  data: {
    template_id: T,
    version,
    evaluation_id: '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10',
    score: passed ? 90 : 40,
    passed,
    pass_score: 70,
    approx_tokens: 5,
    test_cases: { total: 0, passed: 0 },
    findings: [],
    evaluated_by: 'ci',
  },
});
const labelled = (label: string, to: number, from: number | null = null): TemplateEvent => ({
  type: 'TemplateLabelMoved',
  data: { template_id: T, label, from_version: from, to_version: to, moved_by: 'ops', automatic: false },
});

const { given } = DeciderSpecification.for(templateDecider);

const create = (overrides: Partial<Extract<TemplateCommand, { type: 'CreateTemplate' }>['data']> = {}): TemplateCommand => ({
  type: 'CreateTemplate',
  data: {
    template_id: T,
    name: 'Support answer',
    description: '',
    type: 'text',
    owner: 'ana',
    tags: [],
    policy: { require_passing_evaluation: false },
    actor: 'ana',
    template: 'Answer {{question}}',
    declared_variables: null,
    config_json: '{}',
    commit_message: 'v1',
    ...overrides,
  },
});
const addVersion = (template: string | { role: 'user'; content: string }[] = 'Answer {{question}}', actor = 'ana'): TemplateCommand => ({
  type: 'AddVersion',
  data: { template_id: T, actor, template, declared_variables: null, config_json: '{}', commit_message: 'v2' },
});
const submit = (version: number, actor = 'bo'): TemplateCommand => ({ type: 'SubmitVersion', data: { template_id: T, version, actor } });
const approve = (version: number, actor = 'cy', roles = [ROLE]): TemplateCommand => ({
  type: 'ApproveVersion',
  data: { template_id: T, version, actor, roles, approver_role: ROLE, comment: '' },
});
const reject = (version: number, actor = 'cy', roles = [ROLE]): TemplateCommand => ({
  type: 'RejectVersion',
  data: { template_id: T, version, actor, roles, approver_role: ROLE, reason: 'too vague' },
});
const retire = (version: number): TemplateCommand => ({
  type: 'RetireVersion',
  data: { template_id: T, version, actor: 'cy', roles: [ROLE], approver_role: ROLE, reason: '' },
});
const moveLabel = (label: string, version: number): TemplateCommand => ({ type: 'MoveLabel', data: { template_id: T, label, version, actor: 'ops' } });

describe('template decider', () => {
  it('creates the template, its version 1 (variables extracted) and moves latest, in one commit', () => {
    given().when(create()).then([created(), versionCreated(1), latestMoved(1)]);
  });

  it('refuses a second template with the same id (conflict)', () => {
    given(created(), versionCreated(1), latestMoved(1)).when(create()).thenThrows('conflict');
  });

  it('numbers new versions after the last and moves latest from the previous one', () => {
    given(created(), versionCreated(1), latestMoved(1)).when(addVersion()).then([
      { ...versionCreated(2), data: { ...versionCreated(2).data, commit_message: 'v2' } } as TemplateEvent,
      latestMoved(2, 1),
    ]);
  });

  it('refuses a chat body on a text template and invalid mustache (invalid input)', () => {
    const past = [created(), versionCreated(1), latestMoved(1)];
    given(...past).when(addVersion([{ role: 'user', content: 'x' }])).thenThrows('invalid_input');
    given(...past).when(addVersion('{{#open}}')).thenThrows('invalid_input');
  });

  it('submits a draft, refuses to submit twice', () => {
    const past = [created(), versionCreated(1), latestMoved(1)];
    given(...past).when(submit(1)).then([submitted(1)]);
    given(...past, submitted(1)).when(submit(1)).thenThrows('invalid_state');
  });

  it('approves by an approver who neither wrote nor submitted the version', () => {
    given(created(), versionCreated(1), latestMoved(1), submitted(1)).when(approve(1)).then([approved(1)]);
  });

  it('enforces four-eyes and the approver role (forbidden)', () => {
    const past = [created(), versionCreated(1, 'ana'), latestMoved(1), submitted(1, 'bo')];
    given(...past).when(approve(1, 'bo')).thenThrows('forbidden', 'submitted');
    given(...past).when(approve(1, 'ana')).thenThrows('forbidden', 'wrote');
    given(...past).when(approve(1, 'cy', ['viewer'])).thenThrows('forbidden', ROLE);
    given(...past).when(reject(1, 'cy', [])).thenThrows('forbidden');
  });

  it.each([
    ['upper case', 'eve', 'EVE'],
    ['mixed case', 'Eve', 'eVe'],
    ['trailing and leading spaces', 'eve', ' eve  '],
    ['fullwidth look-alikes', 'eve', 'ｅｖｅ'],
    ['a zero-width space', 'eve', 'e\u200Bve'],
  ])('enforces four-eyes on canonical identities: %s', (_label, author, approver) => {
    const wrote = [created(), versionCreated(1, author), latestMoved(1), submitted(1, 'bo')];
    given(...wrote).when(approve(1, approver)).thenThrows('forbidden', 'wrote');
    const asked = [created(), versionCreated(1, 'ana'), latestMoved(1), submitted(1, author)];
    given(...asked).when(approve(1, approver)).thenThrows('forbidden', 'submitted');
  });

  it.each(['constructor', '__proto__'])('refuses a version whose template or declared variables use the reserved name %s', (name) => {
    const past = [created(), versionCreated(1), latestMoved(1)];
    const add = (template: string, declared: string[] | null): TemplateCommand => ({
      type: 'AddVersion',
      data: { template_id: T, actor: 'ana', template, declared_variables: declared, config_json: '{}', commit_message: '' },
    });
    expect(() => given(...past).when(add(`Hi {{${name}}}`, null)).events()).toThrow(expect.objectContaining({ kind: 'invalid_input', details: [expect.objectContaining({ field: 'template' })] }));
    expect(() => given(...past).when(add('Hi {{x}}', ['x', name])).events()).toThrow(expect.objectContaining({ kind: 'invalid_input', details: [expect.objectContaining({ field: 'variables' })] }));
    expect(given(...past).when(add('Hi {{toString}} {{hasOwnProperty}}', null)).events()).toHaveLength(2);
  });

  it('refuses to approve a draft or an already approved version (invalid state)', () => {
    given(created(), versionCreated(1), latestMoved(1)).when(approve(1)).thenThrows('invalid_state');
    given(created(), versionCreated(1), latestMoved(1), submitted(1), approved(1)).when(approve(1, 'dee')).thenThrows('invalid_state');
  });

  it('with the evaluation policy, approves only after a passing evaluation of that version', () => {
    const policy = { require_passing_evaluation: true };
    const past = [created(policy), versionCreated(1), latestMoved(1), submitted(1)];
    given(...past).when(approve(1)).thenThrows('invalid_state', 'not been evaluated');
    given(...past, evaluated(1, false)).when(approve(1)).thenThrows('invalid_state', 'failed');
    given(...past, evaluated(1, false), evaluated(1, true)).when(approve(1)).then([approved(1)]);
  });

  it('rejects with a reason; a rejected version can no longer move', () => {
    const past = [created(), versionCreated(1), latestMoved(1), submitted(1)];
    const [rejection] = given(...past).when(reject(1)).events();
    expect(rejection).toEqual({ type: 'TemplateVersionRejected', data: { template_id: T, version: 1, rejected_by: 'cy', reason: 'too vague' } });
    given(...past, rejection).when(approve(1)).thenThrows('invalid_state');
    given(...past, rejection).when(moveLabel('staging', 1)).thenThrows('invalid_state');
  });

  it('points production only at an approved version, other labels at drafts too', () => {
    const past = [created(), versionCreated(1), latestMoved(1)];
    given(...past).when(moveLabel('production', 1)).thenThrows('invalid_state', 'approved');
    given(...past).when(moveLabel('staging', 1)).then([labelled('staging', 1)]);
    given(...past, submitted(1), approved(1)).when(moveLabel('production', 1)).then([labelled('production', 1)]);
  });

  it('records where a label came from, and moving it where it is writes nothing', () => {
    const past = [created(), versionCreated(1), latestMoved(1), versionCreated(2), latestMoved(2, 1), labelled('staging', 1)];
    given(...past).when(moveLabel('staging', 2)).then([labelled('staging', 2, 1)]);
    given(...past).when(moveLabel('staging', 1)).thenNothing();
  });

  it('refuses to move latest by hand and labels to unknown versions', () => {
    const past = [created(), versionCreated(1), latestMoved(1)];
    given(...past).when(moveLabel('latest', 1)).thenThrows('invalid_input');
    given(...past).when(moveLabel('staging', 9)).thenThrows('not_found');
    given().when(moveLabel('staging', 1)).thenThrows('not_found');
  });

  it('retires an approved version only once no label but latest points at it', () => {
    const past = [created(), versionCreated(1), latestMoved(1), submitted(1), approved(1)];
    given(...past).when(retire(1)).then([{ type: 'TemplateVersionRetired', data: { template_id: T, version: 1, retired_by: 'cy', reason: '' } }]);
    given(...past, labelled('production', 1)).when(retire(1)).thenThrows('invalid_state', 'production');
    given(created(), versionCreated(1), latestMoved(1)).when(retire(1)).thenThrows('invalid_state');
  });

  it('records an evaluation of an existing version only', () => {
    const past = [created(), versionCreated(1), latestMoved(1)];
    const { evaluated_by: _by, ...result } = evaluated(1, true).data as Extract<TemplateEvent, { type: 'TemplateVersionEvaluated' }>['data'];
    given(...past).when({ type: 'RecordEvaluation', data: { ...result, actor: 'ci' } }).then([evaluated(1, true)]);
    given(...past).when({ type: 'RecordEvaluation', data: { ...result, version: 2, actor: 'ci' } }).thenThrows('not_found');
  });
});
