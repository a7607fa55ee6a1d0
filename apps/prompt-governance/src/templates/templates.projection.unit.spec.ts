import { promptGovernanceCatalog, TemplateEvent } from '@mlops/events';
import { ProjectionSpecification } from '@mlops/testing';
import { AUDIT_COLLECTION, auditEntryId, LABEL_HISTORY_COLLECTION, labelMoveId, TemplateVersionView, templatesProjection } from './templates.projection';

const T = 'support-answer';
const STREAM = `template:${T}`;
const at = (minute: number) => `2026-01-01T00:0${minute}:00.000Z`;
const created: TemplateEvent = {
  type: 'TemplateCreated',
  data: { template_id: T, name: 'Support answer', description: '', type: 'text', owner: 'ana', tags: ['support'], policy: { require_passing_evaluation: false } },
};
const versionCreated = (version: number, author = 'ana'): TemplateEvent => ({
  type: 'TemplateVersionCreated',
  data: { template_id: T, version, template: 'Answer {{question}}', variables: ['question'], declared_variables: null, config_json: '{"temperature":0}', commit_message: `v${version}`, author },
});
const latestMoved = (to: number, from: number | null = to > 1 ? to - 1 : null): TemplateEvent => ({
  type: 'TemplateLabelMoved',
  data: { template_id: T, label: 'latest', from_version: from, to_version: to, moved_by: 'ana', automatic: true },
});
const labelled = (label: string, to: number, from: number | null = null): TemplateEvent => ({
  type: 'TemplateLabelMoved',
  data: { template_id: T, label, from_version: from, to_version: to, moved_by: 'ops', automatic: false },
});
const draft = (version: number, minute: number): TemplateVersionView => ({
  version,
  template: 'Answer {{question}}',
  variables: ['question'],
  declared_variables: null,
  config_json: '{"temperature":0}',
  commit_message: `v${version}`,
  status: 'draft',
  author: 'ana',
  created_at: at(minute),
  submitted_by: null,
  submitted_at: null,
  reviewed_by: null,
  reviewed_at: null,
  review_comment: null,
  retired_by: null,
  retired_at: null,
  evaluation: null,
});
const spec = ProjectionSpecification.for(templatesProjection, promptGovernanceCatalog);

describe('templates read model', () => {
  it('is the template with version 1 as a draft and the latest label on it', async () => {
    await spec.givenStream(STREAM, created, versionCreated(1), latestMoved(1)).then({
      version: 3,
      template_id: T,
      name: 'Support answer',
      description: '',
      type: 'text',
      owner: 'ana',
      tags: ['support'],
      policy: { require_passing_evaluation: false },
      latest_version: 1,
      statuses: ['draft'],
      labels: [{ label: 'latest', version: 1, moved_by: 'ana', moved_at: at(2) }],
      versions: [draft(1, 1)],
      created_at: at(0),
      created_by: 'ana',
      updated_at: at(2),
      updated_by: 'ana',
    });
  });

  it('follows review, evaluation and label moves per version; statuses list what the versions are', async () => {
    await spec
      .givenStream(
        STREAM,
        created,
        versionCreated(1),
        latestMoved(1),
        { event: { type: 'TemplateVersionSubmitted', data: { template_id: T, version: 1, submitted_by: 'bo' } }, by: 'bo' },
        {
          event: {
            type: 'TemplateVersionEvaluated',
            data: { template_id: T, version: 1, evaluation_id: '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10', score: 90, passed: true, pass_score: 70, approx_tokens: 5, test_cases: { total: 1, passed: 1 }, findings: [], evaluated_by: 'ci' },
          },
          by: 'ci',
        },
        { event: { type: 'TemplateVersionApproved', data: { template_id: T, version: 1, approved_by: 'cy', comment: 'ok' } }, by: 'cy' },
        { event: labelled('production', 1), by: 'ops' },
        versionCreated(2),
        latestMoved(2),
      )
      .thenMatches({
        version: 9,
        latest_version: 2,
        statuses: ['draft', 'approved'],
        labels: [
          { label: 'latest', version: 2, moved_by: 'ana', moved_at: at(8) },
          { label: 'production', version: 1, moved_by: 'ops', moved_at: at(6) },
        ],
        versions: [
          {
            ...draft(1, 1),
            status: 'approved',
            submitted_by: 'bo',
            submitted_at: at(3),
            reviewed_by: 'cy',
            reviewed_at: at(5),
            review_comment: 'ok',
            evaluation: { evaluation_id: '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10', score: 90, passed: true, pass_score: 70, approx_tokens: 5, test_cases: { total: 1, passed: 1 }, findings: [], evaluated_at: at(4), evaluated_by: 'ci' },
          },
          draft(2, 7),
        ],
      });
  });

  it('derives an audit entry per event without the bulky parts, and a label-history entry per move', async () => {
    const writes = await spec.givenStream(STREAM, created, versionCreated(1), latestMoved(1)).derived();
    const audit = writes.filter((w) => w.collection === AUDIT_COLLECTION).flatMap((w) => w.documents!);
    expect(audit.map((d) => [d._id, d.action, d.version])).toEqual([
      [auditEntryId(T, 1), 'TemplateCreated', null],
      [auditEntryId(T, 2), 'TemplateVersionCreated', 1],
      [auditEntryId(T, 3), 'TemplateLabelMoved', 1],
    ]);
    expect(audit[1].details).toEqual({ version: 1, variables: ['question'], declared_variables: null, commit_message: 'v1', author: 'ana' });
    const moves = writes.filter((w) => w.collection === LABEL_HISTORY_COLLECTION).flatMap((w) => w.documents!);
    expect(moves).toEqual([
      { _id: labelMoveId(T, 3), template_id: T, label: 'latest', from_version: null, to_version: 1, moved_by: 'ana', moved_at: at(2), automatic: true, stream_version: 3 },
    ]);
  });
});
