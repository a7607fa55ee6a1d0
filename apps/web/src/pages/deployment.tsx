import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { canPromote, DEPLOYMENT_MOVES, type Deployment, type DeploymentStatus, useDeployment, useDeploymentCommand } from '@mlops/client';
import { FeatureLink } from '../cross-links';
import { Badge, ChangedElsewhere, formatNumber, formatTime, ProblemView, Section } from '../components';

const MAIN: DeploymentStatus[] = ['pending', 'validating', 'deploying', 'active', 'rollback'];
const ENDS: DeploymentStatus[] = ['failed', 'terminated'];
const BOX = { w: 104, h: 34, gap: 36 };
const position = (status: DeploymentStatus) => {
  const i = MAIN.indexOf(status);
  if (i >= 0) return { x: 8 + i * (BOX.w + BOX.gap), y: 10 };
  return { x: 8 + (ENDS.indexOf(status) * 2 + 1) * (BOX.w + BOX.gap), y: 110 };
};

/** The seven-state machine: the current status filled, the ones passed through outlined, every legal edge drawn. */
function StateMachine({ deployment }: { deployment: Deployment }) {
  const visited = new Set(deployment.status_history.map((s) => s.to));
  const edges = (Object.entries(DEPLOYMENT_MOVES) as [DeploymentStatus, DeploymentStatus[]][]).flatMap(([from, tos]) => tos.map((to) => ({ from, to })));
  const width = 8 + MAIN.length * (BOX.w + BOX.gap);
  return (
    <svg className="state-machine" width={width} height={160} role="img" aria-label={`state machine, current ${deployment.status}`}>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#9ca3af" />
        </marker>
      </defs>
      {edges.map(({ from, to }) => {
        const a = position(from);
        const b = position(to);
        const sameRow = a.y === b.y;
        const x1 = sameRow ? a.x + BOX.w : a.x + BOX.w / 2;
        const y1 = sameRow ? a.y + BOX.h / 2 : a.y + BOX.h;
        const x2 = sameRow ? b.x : b.x + BOX.w / 2;
        const y2 = sameRow ? b.y + BOX.h / 2 : b.y;
        return <line key={`${from}-${to}`} x1={x1} y1={y1} x2={x2} y2={y2} stroke="#d1d5db" markerEnd="url(#arrow)" />;
      })}
      {[...MAIN, ...ENDS].map((status) => {
        const { x, y } = position(status);
        const current = status === deployment.status;
        return (
          <g key={status} data-state={status} data-current={current || undefined}>
            <rect x={x} y={y} width={BOX.w} height={BOX.h} rx={6} className={current ? 'state current' : visited.has(status) ? 'state visited' : 'state'} />
            <text x={x + BOX.w / 2} y={y + BOX.h / 2 + 4} textAnchor="middle" className="state-label">
              {status}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function DeploymentPage() {
  const id = useParams().id!;
  const query = useDeployment(id);
  const command = useDeploymentCommand(id);
  const [reason, setReason] = useState('');
  if (query.isPending) return <p className="loading">Loading…</p>;
  if (query.error) return <ProblemView error={query.error} />;
  const deployment = query.data.data;
  const busy = command.isPending || command.changedElsewhere;
  const run = (move: (typeof DEPLOYMENT_MOVES)[DeploymentStatus][number]) => {
    const why = reason.trim() || undefined;
    if (move === 'terminated') command.mutate({ type: 'terminate' });
    else if (move === 'rollback') command.mutate({ type: 'rollback', reason: why });
    else command.mutate({ type: 'move', status: move, reason: why });
  };
  const label = (move: string) => (move === 'terminated' ? 'Terminate' : move === 'rollback' ? 'Roll back' : move === 'failed' ? 'Mark failed' : `Move to ${move}`);
  const m = deployment.metrics;
  return (
    <>
      <Section title={`Deployment of ${deployment.model_name} v${deployment.model_version}`}>
        <div className="facts">
          <div>
            <Badge kind="deployment" value={deployment.status} /> in {deployment.environment} · <span data-testid="traffic">{deployment.config.traffic_percent}% of traffic</span>
            {deployment.config.traffic_percent < 100 && ' (canary)'} · {deployment.config.replicas} replica(s)
          </div>
          <div className="long">id {deployment.deployment_id}</div>
        </div>
        <StateMachine deployment={deployment} />
        {command.changedElsewhere ? <ChangedElsewhere onReload={command.reload} /> : command.error && <ProblemView error={command.error} />}
        <div className="actions" aria-label="transitions">
          {DEPLOYMENT_MOVES[deployment.status].map((move) => (
            <button key={move} className={move === 'terminated' || move === 'failed' ? 'danger' : ''} disabled={busy} onClick={() => run(move)}>
              {label(move)}
            </button>
          ))}
          {canPromote(deployment) && (
            <button disabled={busy} onClick={() => command.mutate({ type: 'promote' })}>
              Promote canary to 100%
            </button>
          )}
          {DEPLOYMENT_MOVES[deployment.status].length > 0 && (
            <input className="reason" placeholder="reason (optional)" value={reason} onChange={(e) => setReason(e.target.value)} />
          )}
        </div>
      </Section>
      <Section title="Health and metrics">
        <div className="metrics-cards">
          <div className="card">
            health <Badge kind="health" value={deployment.health} />
            <div className="hint">reported {formatTime(deployment.health_reported_at)}</div>
          </div>
          <div className="card">
            latency p50 <strong>{formatNumber(m.latency_p50_ms)}</strong> ms · p99 <strong>{formatNumber(m.latency_p99_ms)}</strong> ms
          </div>
          <div className="card">
            error rate <strong>{m.error_rate === undefined ? '—' : `${(m.error_rate * 100).toFixed(2)}%`}</strong>
          </div>
          <div className="card">
            <strong>{formatNumber(m.rps)}</strong> rps
          </div>
        </div>
      </Section>
      <Section title="Drift alerts">
        {deployment.drift_alerts.length === 0 ? (
          <p className="empty">No drift alerts.</p>
        ) : (
          <table className="drift-alerts">
            <tbody>
              {deployment.drift_alerts.map((a) => (
                <tr key={a.drift_event_id}>
                  <td>{formatTime(a.detected_at)}</td>
                  <td>
                    <FeatureLink name={a.feature} />
                  </td>
                  <td>{a.metric}</td>
                  <td className="num">
                    {formatNumber(a.value)} / {formatNumber(a.threshold)}
                  </td>
                  <td>
                    <Badge kind="severity" value={a.severity} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Status history">
        <ol className="history">
          {deployment.status_history.map((step, i) => (
            <li key={i}>
              {step.from ?? '∅'} → <strong>{step.to}</strong> {formatTime(step.at)} by {step.by}
              {step.reason ? ` — ${step.reason}` : ''}
            </li>
          ))}
        </ol>
      </Section>
    </>
  );
}
