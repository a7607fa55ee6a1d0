import { Link } from 'react-router-dom';
import { flatten, usePendingReviews, useTemplate, useTemplates } from '@mlops/client';
import { Badge, formatTime, ListPage, ListState, LoadMore, ProblemView, Section, useFilteredList } from '../components';
import { FilterBar } from '../forms';
import { ApproversOnly, ReviewControls } from './prompt-review';

const STATUSES = ['draft', 'pending_review', 'approved', 'rejected', 'retired'] as const;

export function TemplatesPage() {
  const { filter, set, query, items: templates } = useFilteredList(useTemplates);
  return (
    <ListPage
      title="Prompt templates"
      actions={<Link to="/prompts/reviews">Approval queue</Link>}
      filters={<FilterBar filter={filter} set={set} fields={[{ key: 'status', label: 'Status', choices: STATUSES }, { key: 'owner', label: 'Owner' }, { key: 'tag', label: 'Tag' }]} />}
      query={query}
      items={templates}
      empty="No templates match."
      className="templates"
      columns={['Template', 'Type', 'Owner', 'Latest', 'Versions in', 'Labels', 'Tags', 'Updated']}
      row={(t) => (
        <tr key={t.id} data-template={t.id}>
          <td className="long">
            <Link to={`/prompts/${encodeURIComponent(t.id)}`}>{t.id}</Link> <span className="hint">{t.name}</span>
          </td>
          <td>{t.type}</td>
          <td>{t.owner}</td>
          <td>v{t.latest_version}</td>
          <td>
            {t.statuses.map((s) => (
              <Badge key={s} kind="status" value={s} />
            ))}
          </td>
          <td>{t.labels.map((l) => `${l.label} → v${l.version}`).join(', ') || '—'}</td>
          <td className="long">{t.tags.join(', ') || '—'}</td>
          <td>{formatTime(t.updated_at)}</td>
        </tr>
      )}
    />
  );
}

/** Every version waiting for review, per template: shown to approvers only (others are told why). */
export function PromptReviewsPage() {
  return (
    <Section title="Approval queue">
      <p className="hint">
        Versions submitted for review. Approving needs the approver role, and nobody approves a version they wrote or submitted (four-eyes rule).
      </p>
      <ApproversOnly>
        <ApprovalQueue />
      </ApproversOnly>
    </Section>
  );
}

function ApprovalQueue() {
  const query = usePendingReviews();
  const templates = flatten(query.data);
  return (
    <div data-testid="approval-queue">
      <ListState query={query} empty="Nothing is waiting for review." count={templates.length} />
      {templates.map((t) => (
        <PendingVersions key={t.id} templateId={t.id} />
      ))}
      <LoadMore query={query} />
    </div>
  );
}

function PendingVersions({ templateId }: { templateId: string }) {
  const query = useTemplate(templateId);
  if (query.isPending) return <p className="loading">Loading {templateId}…</p>;
  if (query.error) return <ProblemView error={query.error} />;
  const template = query.data.data;
  return (
    <>
      {template.versions
        .filter((v) => v.status === 'pending_review')
        .map((v) => (
          <div key={v.version} className="review" data-review={`${template.id}/v${v.version}`}>
            <h3>
              <Link to={`/prompts/${encodeURIComponent(template.id)}?version=${v.version}`}>
                {template.id} v{v.version}
              </Link>{' '}
              <Badge kind="status" value={v.status} />
            </h3>
            <div className="hint">
              written by {v.author} · submitted by {v.submitted_by} at {formatTime(v.submitted_at)}
              {v.evaluation ? ` · evaluation ${v.evaluation.score}/100 (${v.evaluation.passed ? 'passed' : 'failed'})` : ' · not evaluated'}
              {v.commit_message ? ` · “${v.commit_message}”` : ''}
            </div>
            <ReviewControls templateId={template.id} version={v.version} />
          </div>
        ))}
    </>
  );
}
