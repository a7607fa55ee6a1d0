/** Summaries, speed ratios, targets and the printed table: pure functions over the measured rounds. */

export type Better = 'higher' | 'lower';

export interface Target {
  /** Printed next to the row. */
  text: string;
  /** Speed ratio ours/MLflow (>1: ours faster) must be at least this. */
  minSpeedRatio?: number;
  /** Our figure must be at most this (in the row's unit). */
  maxOurs?: number;
}

export interface RoundFigure {
  system: string;
  round: number;
  figure: number;
  [raw: string]: unknown;
}

export interface Summary {
  ours: number | null;
  mlflow: number | null;
  /** >1 means ours is faster (higher throughput, or less time). */
  speed_ratio: number | null;
  target: string;
  met: boolean | null;
}

export const median = (values: number[]): number => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** How many times faster `a` is than `b`, for a figure where `better` is higher or lower. */
export function speedRatio(a: number, b: number, better: Better): number | null {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  // No throughput at all is a ratio of 0; a time of 0 cannot be compared.
  if (better === 'higher') return b > 0 && a >= 0 ? a / b : null;
  return a > 0 && b > 0 ? b / a : null;
}

export function summarise(rounds: RoundFigure[], better: Better, target?: Target, systems = ['ours', 'mlflow']): Summary {
  const of = (system: string) => {
    const figures = rounds.filter((r) => r.system === system && Number.isFinite(r.figure)).map((r) => r.figure);
    return figures.length ? median(figures) : null;
  };
  const ours = of(systems[0]);
  const mlflow = of(systems[1]);
  const ratio = ours !== null && mlflow !== null ? speedRatio(ours, mlflow, better) : null;
  let met: boolean | null = null;
  if (target?.minSpeedRatio !== undefined) met = ratio === null ? null : ratio >= target.minSpeedRatio;
  if (target?.maxOurs !== undefined) met = ours === null ? null : ours <= target.maxOurs;
  return { ours, mlflow, speed_ratio: ratio, target: target?.text ?? '—', met };
}

export function formatFigure(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })} ${unit}`;
}

export const formatRatio = (ratio: number | null) => (ratio === null ? '—' : `${ratio.toFixed(2)}×`);
export const formatMet = (met: boolean | null) => (met === null ? '—' : met ? 'yes' : 'NO');

/** A Markdown table (pastes into bench/README.md as it is). */
export function markdownTable(header: string[], rows: string[][], alignRight: number[] = []): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rule = header.map((_, i) => (alignRight.includes(i) ? '---:' : '---'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}
