import fc from 'fast-check';
import { promptGovernanceCatalog, TemplateEvent } from '@mlops/events';
import { replayCommands, snapshotDivergences } from '@mlops/event-sourcing';
import { PRODUCTION_LABEL, TemplateCommand, templateDecider, TemplateState } from './template.decider';
import { templatesProjection } from './templates.projection';

const T = 'prop';
const ROLE = 'prompt-approver';
const NOW = '2026-01-01T00:00:00.000Z';
const actor = fc.constantFrom('ana', 'bo', 'cy');
const version = fc.integer({ min: 1, max: 3 });
const roles = fc.constantFrom([ROLE], [], ['viewer', ROLE]);

const create: fc.Arbitrary<TemplateCommand> = fc.record({
    type: fc.constant('CreateTemplate' as const),
    data: fc.record({
      template_id: fc.constant(T),
      name: fc.constant('P'),
      description: fc.constant(''),
      type: fc.constant('text' as const),
      owner: actor,
      tags: fc.constant([]),
      policy: fc.record({ require_passing_evaluation: fc.boolean() }),
      actor,
      template: fc.constantFrom('Hi {{name}}', '{{a}} and {{b}}'),
      declared_variables: fc.constant(null),
      config_json: fc.constant('{}'),
      commit_message: fc.constant(''),
    }),
  });
const command = fc.oneof(
  { arbitrary: create, weight: 1 },
  fc.record({
    type: fc.constant('AddVersion' as const),
    data: fc.record({ template_id: fc.constant(T), actor, template: fc.constantFrom('v {{x}}', 'plain'), declared_variables: fc.constant(null), config_json: fc.constant('{}'), commit_message: fc.constant('') }),
  }),
  { arbitrary: fc.record({ type: fc.constant('SubmitVersion' as const), data: fc.record({ template_id: fc.constant(T), version, actor }) }), weight: 3 },
  {
    arbitrary: fc.record({
      type: fc.constant('ApproveVersion' as const),
      data: fc.record({ template_id: fc.constant(T), version, actor, roles, approver_role: fc.constant(ROLE), comment: fc.constant('') }),
    }),
    weight: 4,
  },
  fc.record({
    type: fc.constant('RejectVersion' as const),
    data: fc.record({ template_id: fc.constant(T), version, actor, roles, approver_role: fc.constant(ROLE), reason: fc.constant('no') }),
  }),
  fc.record({
    type: fc.constant('RetireVersion' as const),
    data: fc.record({ template_id: fc.constant(T), version, actor, roles, approver_role: fc.constant(ROLE), reason: fc.constant('') }),
  }),
  fc.record({
    type: fc.constant('RecordEvaluation' as const),
    data: fc.record({
      template_id: fc.constant(T),
      version,
      evaluation_id: fc.constant('7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10'),
      score: fc.integer({ min: 0, max: 100 }),
      passed: fc.boolean(),
      pass_score: fc.constant(70),
      approx_tokens: fc.constant(3),
      test_cases: fc.constant({ total: 0, passed: 0 }),
      findings: fc.constant([]),
      actor,
    }),
  }),
  {
    arbitrary: fc.record({
      type: fc.constant('MoveLabel' as const),
      data: fc.record({ template_id: fc.constant(T), label: fc.constantFrom('production', 'staging', 'canary', 'latest'), version, actor }),
    }),
    weight: 3,
  },
);
/** Mostly a creation first, so most sequences act on an existing template. */
const commands = fc.tuple(fc.option(create, { freq: 10, nil: undefined }), fc.array(command as fc.Arbitrary<TemplateCommand>, { minLength: 10, maxLength: 40 })).map(([first, rest]) => (first ? [first, ...rest] : rest));

const target = { decider: templateDecider, projection: templatesProjection, catalog: promptGovernanceCatalog, subject: `template:${T}`, time: NOW };
const play = (sequence: TemplateCommand[], onDecided?: (before: TemplateState, command: TemplateCommand, events: TemplateEvent[]) => void) =>
  replayCommands(target, sequence, { onDecided });

describe('the approval machine holds for any command sequence', () => {
  it('never approves a version by its submitter or author, nor without the role, nor against the evaluation policy', () => {
    let approvals = 0;
    fc.assert(
      fc.property(commands, (sequence) => {
        play(sequence, (before, cmd, events) => {
          for (const event of events) {
            if (event.type !== 'TemplateVersionApproved') continue;
            approvals++;
            const target = before.versions.find((v) => v.version === event.data.version)!;
            expect(cmd.type).toBe('ApproveVersion');
            expect(target.status).toBe('pending_review');
            expect(event.data.approved_by).not.toBe(target.submitted_by);
            expect(event.data.approved_by).not.toBe(target.author);
            expect((cmd as Extract<TemplateCommand, { type: 'ApproveVersion' }>).data.roles).toContain(ROLE);
            if (before.policy.require_passing_evaluation) expect(target.evaluation?.passed).toBe(true);
          }
        });
      }),
      { numRuns: 1000 },
    );
    // The sequences do reach approvals, so the checks above are exercised.
    expect(approvals).toBeGreaterThan(50);
  });

  it('only ever points production at an approved version, and latest at the newest', () => {
    let productionLabels = 0;
    fc.assert(
      fc.property(commands, (sequence) => {
        const { state } = play(sequence, (before, _cmd, events) => {
          for (const event of events) {
            if (event.type === 'TemplateLabelMoved' && event.data.label === PRODUCTION_LABEL) {
              productionLabels++;
              expect(before.versions.find((v) => v.version === event.data.to_version)?.status).toBe('approved');
            }
          }
        });
        const production = state.labels.find((l) => l.label === PRODUCTION_LABEL);
        if (production) expect(state.versions.find((v) => v.version === production.version)?.status).toBe('approved');
        if (state.versions.length) expect(state.labels.find((l) => l.label === 'latest')?.version).toBe(state.versions.length);
      }),
      { numRuns: 1000 },
    );
    expect(productionLabels).toBeGreaterThan(3);
  });

  it('the read model folded from the events equals the decider state', () => {
    fc.assert(
      fc.property(commands, (sequence) => {
        const { state, doc } = play(sequence);
        if (!state.exists) return expect(doc).toBeNull();
        expect(doc!.latest_version).toBe(state.versions.length);
        expect(doc!.policy).toEqual(state.policy);
        expect(doc!.labels.map(({ label, version: v }) => ({ label, version: v }))).toEqual(state.labels);
        expect(
          doc!.versions.map((v) => ({
            version: v.version,
            status: v.status,
            author: v.author,
            submitted_by: v.submitted_by,
            approved_by: v.status === 'approved' || (v.status === 'retired' && v.reviewed_by) ? v.reviewed_by : null,
            evaluation: v.evaluation && { score: v.evaluation.score, passed: v.evaluation.passed },
            variables: v.variables,
          })),
        ).toEqual(
          state.versions.map((v) => ({
            version: v.version,
            status: v.status,
            author: v.author,
            submitted_by: v.submitted_by,
            approved_by: v.approved_by,
            evaluation: v.evaluation,
            variables: v.variables,
          })),
        );
        expect(doc!.statuses).toEqual([...new Set(state.versions.map((v) => v.status))].sort((a, b) => order(a) - order(b)));
      }),
      { numRuns: 1000 },
    );
  });
});

const order = (status: string) => ['draft', 'pending_review', 'approved', 'rejected', 'retired'].indexOf(status);

describe('snapshots of the template state', () => {
  it('fold to the same state as the whole stream, wherever the snapshot was taken', () => {
    fc.assert(
      fc.property(commands, (sequence) => {
        const { log } = play(sequence);
        expect(snapshotDivergences(templateDecider, log)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
