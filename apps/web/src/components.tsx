import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { InfiniteData } from '@tanstack/react-query';
import uPlot from 'uplot';
import { ApiError, flatten, type Page } from '@mlops/client';

export const formatTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
export const formatNumber = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : Math.abs(value) >= 1000 || Number.isInteger(value) ? String(value) : value.toPrecision(4);

/** An error as the API described it: the problem+json title, detail and each listed reason. */
export function ProblemView({ error }: { error: unknown }) {
  if (!(error instanceof ApiError)) return <div className="problem" role="alert">{String((error as Error)?.message ?? error)}</div>;
  const { title, status, detail, errors } = error.problem;
  return (
    <div className="problem" role="alert">
      <strong>
        {status} {title}
      </strong>
      {detail && <p className="detail">{detail}</p>}
      {errors && errors.length > 0 && (
        <ul className="problem-errors">
          {errors.map((e, i) => (
            <li key={i}>
              {e.field ? <code>{e.field}</code> : null} {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Loading, error and empty states shared by every list. */
export function ListState({ query, empty, count }: { query: { isPending: boolean; error: unknown }; empty: string; count: number }) {
  if (query.isPending) return <p className="loading">Loading…</p>;
  if (query.error) return <ProblemView error={query.error} />;
  if (count === 0) return <p className="empty">{empty}</p>;
  return null;
}

/** A list's filter with its empty values dropped (a cleared input asks for everything again). */
export function useListFilter<F extends object>(initial: F | (() => F) = {} as F): [F, (change: Partial<F>) => void] {
  const [filter, setFilter] = useState<F>(initial);
  const set = (change: Partial<F>) => setFilter((f) => Object.fromEntries(Object.entries({ ...f, ...change }).filter(([, v]) => v !== '' && v !== undefined)) as F);
  return [filter, set];
}

/** A list page's data: its filter (see useListFilter), the paged query over it, and the items loaded so far. */
export function useFilteredList<F extends object, T, Q extends { data: InfiniteData<Page<T>> | undefined }>(useList: (filter: F) => Q, initial?: F | (() => F)) {
  const [filter, set] = useListFilter<F>(initial);
  const query = useList(filter);
  return { filter, set, query, items: flatten<T>(query.data) };
}

/** A table under its column headings, a row per child. */
export function Table({ className, columns, children }: { className: string; columns: readonly ReactNode[]; children: ReactNode }) {
  return (
    <table className={className}>
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th key={i}>{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** Key–value pairs as a table without headings: the key heads its row. */
export function KeyValues({ className, valueClassName, entries }: { className?: string; valueClassName?: string; entries: { key: string; value: ReactNode }[] }) {
  return (
    <table className={className}>
      <tbody>
        {entries.map((e) => (
          <tr key={e.key}>
            <th>{e.key}</th>
            <td className={valueClassName}>{e.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type PagedQuery = { isPending: boolean; error: unknown; hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };

/**
 * What every list page shows under its filters: loading, the problem, or the empty text; else the
 * table (scrolling sideways when wide) under its column headings, a row per item; then Load more
 * while pages remain.
 */
export function ListTable<T>({ query, items, empty, className, columns, row }: { query: PagedQuery; items: T[]; empty: string; className: string; columns: readonly string[]; row: (item: T) => ReactNode }) {
  return (
    <>
      <ListState query={query} empty={empty} count={items.length} />
      {items.length > 0 && (
        <div className="table-scroll">
          <Table className={className} columns={columns}>
            {items.map(row)}
          </Table>
        </div>
      )}
      <LoadMore query={query} />
    </>
  );
}

/** A list page: its title and links, the filters, the list, then what follows it (a create form). */
export function ListPage<T>({ title, actions, filters, children, ...list }: Parameters<typeof ListTable<T>>[0] & { title: string; actions?: ReactNode; filters?: ReactNode; children?: ReactNode }) {
  return (
    <Section title={title} actions={actions}>
      {filters && <div className="filters">{filters}</div>}
      <ListTable {...list} />
      {children}
    </Section>
  );
}

export function LoadMore({ query }: { query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown } }) {
  if (!query.hasNextPage) return null;
  return (
    <button className="load-more" disabled={query.isFetchingNextPage} onClick={() => query.fetchNextPage()}>
      {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
    </button>
  );
}

export function Badge({ value, kind }: { value: string; kind: string }) {
  return <span className={`badge ${kind}-${value}`}>{value}</span>;
}

/** The 412 state: someone else changed the resource since it was read. */
export function ChangedElsewhere({ onReload }: { onReload: () => void }) {
  return (
    <div className="conflict" role="alert">
      Changed by someone else since you loaded it — <button onClick={onReload}>Reload</button>
    </div>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section>
      <div className="section-head">
        <h2>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#ca8a04'];

export interface Series {
  label: string;
  points: { step: number; value: number }[];
}

/**
 * One metric over steps, one line per series (uPlot: a canvas, smooth with many thousands of
 * points). The series are aligned on the union of their steps; a run without a step leaves a gap.
 * `data-points` tells how many points the last draw had.
 */
export function MetricChart({ title, series, height = 240 }: { title: string; series: Series[]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const steps = [...new Set(series.flatMap((s) => s.points.map((p) => p.step)))].sort((a, b) => a - b);
    const index = new Map(steps.map((step, i) => [step, i]));
    const columns = series.map((s) => {
      const column: (number | null)[] = new Array(steps.length).fill(null);
      for (const p of s.points) column[index.get(p.step)!] = p.value;
      return column;
    });
    const total = series.reduce((n, s) => n + s.points.length, 0);
    const plot = new uPlot(
      {
        title,
        width: Math.max(320, element.clientWidth || 640),
        height,
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, {}],
        series: [{ label: 'step' }, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: true }))],
        hooks: { draw: [() => element.setAttribute('data-points', String(total))] },
      },
      [steps, ...columns] as uPlot.AlignedData,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(320, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      element.removeAttribute('data-points');
    };
  }, [title, series, height]);
  return <div className="chart" ref={box} data-metric={title} />;
}

/** Horizontal bars around zero: each version's delta against the baseline. */
export function DeltaBars({ bars }: { bars: { label: string; value: number | null; best?: boolean }[] }) {
  const max = Math.max(1e-12, ...bars.map((b) => Math.abs(b.value ?? 0)));
  const width = 360;
  const row = 26;
  const mid = width / 2;
  return (
    <svg className="bars" width={width + 200} height={bars.length * row + 8} role="img">
      <line x1={mid + 120} x2={mid + 120} y1={0} y2={bars.length * row + 8} stroke="#9ca3af" />
      {bars.map((bar, i) => {
        const length = ((bar.value ?? 0) / max) * (mid - 10);
        const x = mid + 120 + Math.min(0, length);
        return (
          <g key={bar.label} transform={`translate(0, ${i * row + 4})`}>
            <text x={0} y={16} className="bar-label">
              {bar.label}
            </text>
            <rect className={`bar${bar.best ? ' best' : ''}`} data-value={bar.value ?? ''} x={x} y={3} width={Math.max(1, Math.abs(length))} height={row - 8} />
            <text x={mid * 2 + 130} y={16} className="bar-value">
              {bar.value === null ? 'n/a' : `${bar.value >= 0 ? '+' : ''}${formatNumber(bar.value)}`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
