import { Link, useParams } from 'react-router-dom';
import { MODEL_STAGE_MOVES, useModelVersion, useUpdateModelVersion } from '@mlops/client';
import { Badge, ChangedElsewhere, formatNumber, formatTime, KeyValues, ProblemView, Section } from '../components';

export function ModelVersionPage() {
  const params = useParams();
  const modelName = params.modelName!;
  const version = Number(params.version);
  const query = useModelVersion(modelName, version);
  const update = useUpdateModelVersion(modelName, version);
  if (query.isPending) return <p className="loading">Loading…</p>;
  if (query.error) return <ProblemView error={query.error} />;
  const model = query.data.data;
  return (
    <>
      <Section title={`${modelName} v${version}`}>
        <div className="facts">
          <div>
            <Badge kind="stage" value={model.stage} /> since {formatTime(model.stage_changed_at)} · from run <Link to={`/runs/${model.run_id}`}>{model.run_id}</Link>
          </div>
          <div className="long">artifact {model.artifact_uri}</div>
          <div className="cross-links">
            <Link to={`/evaluation/runs?model_name=${encodeURIComponent(modelName)}&model_version=${version}`}>Evaluation runs of this version</Link> ·{' '}
            <Link to={`/deployments?model_name=${encodeURIComponent(modelName)}`}>Deployments of {modelName}</Link>
          </div>
          {model.description && <p className="long">{model.description}</p>}
        </div>
        {update.changedElsewhere ? (
          <ChangedElsewhere onReload={update.reload} />
        ) : (
          update.error && <ProblemView error={update.error} />
        )}
        <div className="actions" aria-label="stage">
          {MODEL_STAGE_MOVES[model.stage].map((stage) => (
            <button key={stage} disabled={update.isPending} onClick={() => update.mutate({ stage })}>
              {stage === 'production' ? 'Promote to production' : `Move to ${stage}`}
            </button>
          ))}
        </div>
      </Section>
      <Section title="Release checklist">
        {model.checklist.length === 0 ? (
          <p className="empty">This model has no checklist.</p>
        ) : (
          <table className="checklist">
            <thead>
              <tr>
                <th />
                <th>Item</th>
                <th>Required</th>
                <th>Checked by</th>
                <th>When</th>
              </tr>
            </thead>
            <tbody>
              {model.checklist.map((item) => (
                <tr key={item.key} data-item={item.key}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`check ${item.key}`}
                      checked={item.checked}
                      disabled={update.isPending || update.changedElsewhere}
                      onChange={() => update.mutate({ checklist: [{ key: item.key, checked: !item.checked }] })}
                    />
                  </td>
                  <td>{item.key}</td>
                  <td>{item.required ? 'required' : 'optional'}</td>
                  <td>{item.checked_by ?? '—'}</td>
                  <td>{formatTime(item.checked_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Metrics and params">
        <div className="two-col">
          <KeyValues valueClassName="num" entries={model.metrics.map((m) => ({ key: m.key, value: formatNumber(m.value) }))} />
          <KeyValues entries={model.params.map((p) => ({ key: p.key, value: String(p.value) }))} />
        </div>
      </Section>
    </>
  );
}
