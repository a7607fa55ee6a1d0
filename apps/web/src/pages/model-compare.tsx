import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useModelComparison } from '@mlops/client';
import { Badge, DeltaBars, formatNumber, ProblemView, Section } from '../components';

export function ModelComparePage() {
  const modelName = useParams().modelName!;
  const versions = (useSearchParams()[0].get('versions') ?? '').split(',').filter(Boolean).map(Number);
  const query = useModelComparison(modelName, versions);
  if (versions.length < 2) return <p className="empty">Pick two or more versions in the model registry.</p>;
  if (query.isPending) return <p className="loading">Loading…</p>;
  if (query.error) return <ProblemView error={query.error} />;
  const comparison = query.data;
  const others = comparison.versions.filter((v) => v.version !== comparison.baseline_version);
  return (
    <>
      <Section title={`${modelName}: v${versions.join(' vs v')}`}>
        <p>Deltas are against the baseline, v{comparison.baseline_version}.</p>
        <div className="side-by-side">
          {comparison.versions.map((v) => (
            <div key={v.version} className="card" data-compared={v.version}>
              <h3>
                <Link to={`/models/${encodeURIComponent(modelName)}/${v.version}`}>v{v.version}</Link> <Badge kind="stage" value={v.stage} />
              </h3>
              <div>
                checklist {v.checklist.checked}/{v.checklist.total} {v.checklist.complete ? '✓ complete' : `— missing ${v.checklist.required_unchecked.join(', ')}`}
              </div>
            </div>
          ))}
        </div>
      </Section>
      <Section title="Metric deltas">
        {comparison.metrics.length === 0 && <p className="empty">No metrics to compare.</p>}
        {comparison.metrics.map((metric) => (
          <div key={metric.key} className="metric-delta" data-metric={metric.key}>
            <h3>
              {metric.key} <span className="hint">({metric.higher_is_better ? 'higher' : 'lower'} is better; best v{metric.best_version})</span>
            </h3>
            <div className="values">
              {metric.values.map((v) => (
                <span key={v.version}>
                  v{v.version}: {formatNumber(v.value)}
                </span>
              ))}
            </div>
            <DeltaBars
              bars={others.map((v) => {
                const value = metric.values.find((x) => x.version === v.version);
                return { label: `v${v.version}`, value: value?.delta ?? null, best: metric.best_version === v.version };
              })}
            />
          </div>
        ))}
      </Section>
      <Section title="Params that differ">
        {comparison.params_diff.length === 0 ? (
          <p className="empty">Same params.</p>
        ) : (
          <table className="params-diff">
            <thead>
              <tr>
                <th>Param</th>
                {comparison.versions.map((v) => (
                  <th key={v.version}>v{v.version}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {comparison.params_diff.map((row) => (
                <tr key={row.key}>
                  <th>{row.key}</th>
                  {comparison.versions.map((v) => {
                    const value = row.values.find((x) => x.version === v.version)?.value;
                    return <td key={v.version}>{value === null || value === undefined ? '—' : String(value)}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}
