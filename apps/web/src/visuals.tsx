import { diffWordsWithSpace } from 'diff';
import { type ReactNode, useEffect, useRef } from 'react';
import { formatNumber, PALETTE } from './components';

/** Both texts word by word: removed words struck through in red, added ones in green. */
export function TextDiff({ from, to }: { from: string; to: string }) {
  const parts = diffWordsWithSpace(from, to);
  const added = parts.filter((p) => p.added).reduce((n, p) => n + (p.count ?? 0), 0);
  const removed = parts.filter((p) => p.removed).reduce((n, p) => n + (p.count ?? 0), 0);
  return (
    <div className="text-diff" data-added={added} data-removed={removed}>
      <pre>
        {parts.map((part, i) =>
          part.added ? <ins key={i}>{part.value}</ins> : part.removed ? <del key={i}>{part.value}</del> : <span key={i}>{part.value}</span>,
        )}
      </pre>
      {added + removed === 0 && <p className="hint">The two texts are the same.</p>}
    </div>
  );
}

/** A text with spans marked (evaluation findings at their character offsets); overlapping spans merge into the first. */
export function MarkedText({ text, spans }: { text: string; spans: { start: number; end: number; title: string; severity: string }[] }) {
  const out: ReactNode[] = [];
  let at = 0;
  spans.forEach((span, i) => {
    if (span.start < at) return;
    out.push(text.slice(at, span.start));
    out.push(
      <mark key={i} className={`finding-${span.severity}`} title={span.title}>
        {text.slice(span.start, span.end)}
      </mark>,
    );
    at = span.end;
  });
  out.push(text.slice(at));
  return <pre className="marked-text">{out}</pre>;
}

const CELL = 56;
const LABEL_SPACE = 90;

/**
 * A confusion matrix as a heatmap on a canvas: rows are the actual class, columns the predicted
 * one, each cell shaded by its share of the row's cases (recall per class), with its count.
 * The cell geometry is on the element (`data-cell`, `data-origin`) so a test can read the pixels.
 */
export function ConfusionHeatmap({ labels, rows }: { labels: (string | number | boolean)[]; rows: { actual: string | number | boolean; counts: number[] }[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const size = LABEL_SPACE + labels.length * CELL + 8;
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, size, size);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    rows.forEach((row, r) => {
      const total = row.counts.reduce((a, b) => a + b, 0);
      row.counts.forEach((count, c) => {
        const share = total ? count / total : 0;
        ctx.fillStyle = heat(share);
        const x = LABEL_SPACE + c * CELL;
        const y = LABEL_SPACE + r * CELL;
        ctx.fillRect(x, y, CELL - 2, CELL - 2);
        ctx.fillStyle = share > 0.55 ? '#fff' : '#111827';
        ctx.fillText(String(count), x + CELL / 2, y + CELL / 2);
      });
      ctx.fillStyle = '#374151';
      ctx.textAlign = 'right';
      ctx.fillText(String(row.actual), LABEL_SPACE - 8, LABEL_SPACE + r * CELL + CELL / 2);
      ctx.textAlign = 'center';
    });
    labels.forEach((label, c) => ctx.fillText(String(label), LABEL_SPACE + c * CELL + CELL / 2, LABEL_SPACE - 12));
    ctx.fillText('predicted →', LABEL_SPACE + (labels.length * CELL) / 2, 14);
    ctx.save();
    ctx.translate(14, LABEL_SPACE + (labels.length * CELL) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText('actual →', 0, 0);
    ctx.restore();
    canvas.current!.setAttribute('data-drawn', String(labels.length * labels.length));
  }, [labels, rows, size]);
  return (
    <canvas
      ref={canvas}
      className="heatmap"
      width={size}
      height={size}
      data-cell={CELL}
      data-origin={LABEL_SPACE}
      data-labels={JSON.stringify(labels.map(String))}
      role="img"
      aria-label="confusion matrix"
    />
  );
}

/** White (0) to deep blue (1). */
function heat(share: number): string {
  const mix = (from: number, to: number) => Math.round(from + (to - from) * share);
  return `rgb(${mix(239, 30)}, ${mix(246, 64)}, ${mix(255, 175)})`;
}

/** A small inline bar: `value` of `max`, with its number. */
export function SmallBar({ value, max, label }: { value: number; max: number; label?: string }) {
  const width = 80;
  const length = max > 0 ? Math.max(0, Math.min(1, value / max)) * width : 0;
  return (
    <span className="small-bar">
      <svg width={width} height={10} aria-hidden>
        <rect className="track" width={width} height={10} />
        <rect className="fill" width={length} height={10} data-value={value} />
      </svg>
      <span>{label ?? formatNumber(value)}</span>
    </span>
  );
}

/** One value per day as vertical bars, the day under each (usage per day). */
export function DayBars({ title, days, format = formatNumber }: { title: string; days: { day: string; value: number | null }[]; format?: (v: number | null) => string }) {
  const height = 120;
  const bar = 28;
  const max = Math.max(1e-12, ...days.map((d) => d.value ?? 0));
  return (
    <figure className="day-bars" data-chart={title}>
      <figcaption>{title}</figcaption>
      <svg width={Math.max(120, days.length * (bar + 6) + 10)} height={height + 30} role="img" aria-label={title}>
        {days.map((d, i) => {
          const h = ((d.value ?? 0) / max) * height;
          return (
            <g key={d.day} transform={`translate(${i * (bar + 6) + 5}, 0)`}>
              <title>{`${d.day}: ${format(d.value)}`}</title>
              <rect className="bar" y={height - h} width={bar} height={Math.max(h, 0.5)} data-value={d.value ?? ''} />
              <text className="bar-value" x={bar / 2} y={Math.max(10, height - h - 3)} textAnchor="middle">
                {format(d.value)}
              </text>
              <text className="bar-label" x={bar / 2} y={height + 14} textAnchor="middle">
                {d.day.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

const ROC_SIZE = 300;
const ROC_PAD = 36;

/**
 * ROC curves on one square (false positive rate → right, true positive rate ↑), one path per
 * class with its AUC in the legend, and the chance diagonal dashed. Each path carries its label
 * and point count (`data-label`, `data-points`) so a test can check what was drawn.
 */
export function RocChart({ curves }: { curves: { label: string | number | boolean; auc: number | null; fpr: number[]; tpr: number[] }[] }) {
  const x = (fpr: number) => ROC_PAD + fpr * ROC_SIZE;
  const y = (tpr: number) => ROC_PAD + (1 - tpr) * ROC_SIZE;
  const drawn = curves.filter((c) => c.fpr.length > 0);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <figure className="roc-chart">
      <svg width={ROC_SIZE + ROC_PAD * 2} height={ROC_SIZE + ROC_PAD * 2} role="img" aria-label="ROC curve" data-curves={drawn.length}>
        <rect x={ROC_PAD} y={ROC_PAD} width={ROC_SIZE} height={ROC_SIZE} className="roc-frame" />
        {ticks.map((t) => (
          <g key={t}>
            <text x={x(t)} y={ROC_PAD + ROC_SIZE + 14} textAnchor="middle" className="bar-label">
              {t}
            </text>
            <text x={ROC_PAD - 6} y={y(t) + 4} textAnchor="end" className="bar-label">
              {t}
            </text>
          </g>
        ))}
        <line className="roc-chance" x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} />
        {drawn.map((c, i) => (
          <path
            key={String(c.label)}
            className="roc-curve"
            d={c.fpr.map((f, j) => `${j === 0 ? 'M' : 'L'}${x(f).toFixed(2)},${y(c.tpr[j]).toFixed(2)}`).join(' ')}
            stroke={PALETTE[i % PALETTE.length]}
            data-label={String(c.label)}
            data-points={c.fpr.length}
          />
        ))}
        <text x={ROC_PAD + ROC_SIZE / 2} y={ROC_PAD + ROC_SIZE + 30} textAnchor="middle" className="bar-label">
          false positive rate
        </text>
        <text transform={`translate(10, ${ROC_PAD + ROC_SIZE / 2}) rotate(-90)`} textAnchor="middle" className="bar-label">
          true positive rate
        </text>
      </svg>
      <figcaption>
        <ul className="roc-legend">
          {curves.map((c, i) => (
            <li key={String(c.label)} data-label={String(c.label)}>
              <span className="swatch" style={{ background: PALETTE[(drawn.includes(c) ? drawn.indexOf(c) : i) % PALETTE.length] }} />
              {String(c.label)}: <span className="roc-auc">AUC {formatNumber(c.auc)}</span>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
