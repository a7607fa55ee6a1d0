import { createHash } from 'node:crypto';

/** MLflow's default experiment: `start_run()` without an experiment logs into it. */
export const DEFAULT_EXPERIMENT = { id: '0', name: 'Default' } as const;

/**
 * The MLflow id of an experiment: a decimal string derived from its stream's name (our experiments
 * are keyed by name), so every experiment has one whichever API created it, with no counter to keep.
 * 52 bits of SHA-256: a collision needs tens of millions of experiments.
 */
export function experimentMlflowId(name: string): string {
  if (name === DEFAULT_EXPERIMENT.name) return DEFAULT_EXPERIMENT.id;
  const id = BigInt(`0x${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 13)}`);
  // Never "0" (the default experiment's) and never a leading zero: ids read as MLflow's numbers.
  return (id + 1n).toString();
}
