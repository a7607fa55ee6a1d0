import { type ReactNode, useState } from 'react';
import { ApiError, type Caller, canReviewPrompts, useApproveVersion, useCaller, useRejectVersion, useReviewPolicy } from '@mlops/client';
import { ChangedElsewhere, ProblemView } from '../components';

/** Why this caller sees no review controls: who the gateway says they are, and what they lack. */
function NotAnApprover({ caller, approverRole }: { caller: Caller; approverRole: string }) {
  const roles = caller.roles.length ? `roles ${caller.roles.join(', ')}` : 'no roles';
  return (
    <p className="hint not-approver" data-testid="not-approver">
      Reviewing prompt versions needs the {approverRole} role. You are signed in as {caller.actor} with {roles}
      {caller.auth === 'none' ? ' (this gateway requires no credentials, so the console’s requests carry no roles)' : ` (by ${caller.auth === 'oidc' ? 'OIDC token' : 'API key'})`}.
    </p>
  );
}

/** Its children for a caller with the approver role; for anyone else, why not. */
export function ApproversOnly({ children }: { children: ReactNode }) {
  const caller = useCaller();
  const policy = useReviewPolicy();
  if (caller.isPending || policy.isPending) return <p className="loading">Checking your roles…</p>;
  if (caller.error || policy.error) return <ProblemView error={caller.error ?? policy.error} />;
  const role = policy.data.approver_role;
  return canReviewPrompts(caller.data, role) ? children : <NotAnApprover caller={caller.data} approverRole={role} />;
}

/** A 403 from approve: the caller lacks the approver role or wrote / submitted the version. */
function FourEyesRefusal({ error }: { error: unknown }) {
  return (
    <div data-testid="four-eyes">
      <p className="problem four-eyes" role="alert">
        Refused (403): only someone with the approver role who neither wrote nor submitted this version can review it.
      </p>
      <ProblemView error={error} />
    </div>
  );
}

/** Approve, or reject with a reason (the API refuses a rejection without one); approvers only. */
export function ReviewControls({ templateId, version }: { templateId: string; version: number }) {
  return (
    <ApproversOnly>
      <Review templateId={templateId} version={version} />
    </ApproversOnly>
  );
}

function Review({ templateId, version }: { templateId: string; version: number }) {
  const approve = useApproveVersion(templateId);
  const reject = useRejectVersion(templateId);
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const failed = approve.error ?? reject.error;
  const busy = approve.isPending || reject.isPending;
  const retry = approve.changedElsewhere ? approve.reload : reject.reload;
  return (
    <div className="review-controls">
      {approve.changedElsewhere || reject.changedElsewhere ? (
        <ChangedElsewhere onReload={retry} />
      ) : failed instanceof ApiError && failed.status === 403 ? (
        <FourEyesRefusal error={failed} />
      ) : (
        failed && <ProblemView error={failed} />
      )}
      <div className="inline-form">
        <input aria-label={`approval comment v${version}`} placeholder="comment (optional)" value={comment} onChange={(e) => setComment(e.target.value)} />
        <button
          disabled={busy}
          onClick={() => {
            reject.reset();
            approve.mutate({ version, ...(comment.trim() ? { comment: comment.trim() } : {}) });
          }}
        >
          Approve v{version}
        </button>
        <input aria-label={`rejection reason v${version}`} placeholder="reason (required to reject)" value={reason} onChange={(e) => setReason(e.target.value)} />
        <button
          className="danger"
          disabled={busy || !reason.trim()}
          onClick={() => {
            approve.reset();
            reject.mutate({ version, reason: reason.trim() });
          }}
        >
          Reject v{version}
        </button>
      </div>
    </div>
  );
}
