import { Link, useParams } from 'react-router-dom';
import { flatten, type UsageFilter, usePromptUsage } from '@mlops/client';
import { formatNumber, formatTime, ListState, LoadMore, ProblemView, Section, Table, useListFilter } from '../components';
import { DayBars } from '../visuals';

const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

export function PromptUsagePage() {
  const params = useParams();
  const id = params.id!;
  const version = Number(params.version);
  const [filter, set] = useListFilter<UsageFilter>();
  const query = usePromptUsage(id, version, filter);
  const records = flatten(query.data);
  const totals = query.data?.pages[0]?.aggregates;
  const days = totals?.per_day ?? [];
  const series = (pick: (d: (typeof days)[number]) => number | null) => days.map((d) => ({ day: d.day, value: pick(d) }));
  return (
    <>
      <Section title={`Usage of ${id} v${version}`} actions={<Link to={`/prompts/${encodeURIComponent(id)}?version=${version}`}>template</Link>}>
        <div className="filters">
          <label>
            Environment
            <input value={filter.environment ?? ''} onChange={(e) => set({ environment: e.target.value })} />
          </label>
          <label>
            Caller
            <input value={filter.caller ?? ''} onChange={(e) => set({ caller: e.target.value })} />
          </label>
          <label>
            Outcome
            <select value={filter.outcome ?? ''} onChange={(e) => set({ outcome: (e.target.value || undefined) as UsageFilter['outcome'] })}>
              <option value="">any</option>
              <option>success</option>
              <option>error</option>
            </select>
          </label>
        </div>
        {query.error && <ProblemView error={query.error} />}
        {totals && (
          <div className="metrics-cards" data-testid="usage-totals">
            <div className="card">
              <strong>{totals.count}</strong> calls
            </div>
            <div className="card">
              <strong>{percent(totals.error_rate)}</strong> errors
            </div>
            <div className="card">
              p50 <strong>{formatNumber(totals.latency_p50_ms)}</strong> ms · p95 <strong>{formatNumber(totals.latency_p95_ms)}</strong> ms
            </div>
            <div className="card">
              <strong>{totals.total_tokens}</strong> tokens
            </div>
            <div className="card">
              cost <strong>{formatNumber(totals.cost)}</strong>
            </div>
          </div>
        )}
        {days.length > 0 && (
          <div className="usage-charts">
            <DayBars title="calls per day" days={series((d) => d.count)} />
            <DayBars title="error rate" days={series((d) => d.error_rate)} format={percent} />
            <DayBars title="p50 latency (ms)" days={series((d) => d.latency_p50_ms)} />
            <DayBars title="p95 latency (ms)" days={series((d) => d.latency_p95_ms)} />
            <DayBars title="tokens" days={series((d) => d.total_tokens)} />
            <DayBars title="cost" days={series((d) => d.cost)} />
          </div>
        )}
      </Section>
      <Section title="Log">
        <ListState query={query} empty="No usage logged." count={records.length} />
        {records.length > 0 && (
          <Table className="usage" columns={['When', 'Caller', 'Environment', 'Outcome', 'Tokens in / out', 'Latency ms', 'Cost']}>
            {records.map((r, i) => (
              <tr key={`${r.batch_id}:${i}`}>
                <td>{formatTime(r.timestamp)}</td>
                <td>{r.caller}</td>
                <td>{r.environment}</td>
                <td>{r.outcome}</td>
                <td className="num">
                  {r.input_tokens} / {r.output_tokens}
                </td>
                <td className="num">{r.latency_ms}</td>
                <td className="num">{formatNumber(r.cost)}</td>
              </tr>
            ))}
          </Table>
        )}
        <LoadMore query={query} />
      </Section>
    </>
  );
}
