import { createHash } from 'node:crypto';
import type { DriftColumnResult, DriftMethod, DriftSeverity } from '@mlops/events';

/** The drift-event metric names for Evidently's methods. */
export const DRIFT_METRIC_OF: Record<DriftMethod, string> = {
  ks: 'ks',
  chisquare: 'chi2',
  z: 'z',
  wasserstein: 'wasserstein',
  jensenshannon: 'js',
  psi: 'psi',
};

/**
 * How far past its threshold a drifted column is: a p-value a hundredth of the threshold (or a
 * distance twice it) is critical, a tenth (1.5 times) high, any drift medium; no drift, nothing.
 */
export function severityOf(column: Pick<DriftColumnResult, 'drifted' | 'p_value' | 'distance' | 'threshold'>): DriftSeverity | null {
  if (!column.drifted) return null;
  if (column.p_value !== null) {
    const factor = column.p_value === 0 ? Infinity : column.threshold / column.p_value;
    return factor >= 100 ? 'critical' : factor >= 10 ? 'high' : 'medium';
  }
  const distance = column.distance ?? 0;
  const factor = column.threshold === 0 ? Infinity : distance / column.threshold;
  return factor >= 2 ? 'critical' : factor >= 1.5 ? 'high' : 'medium';
}

/**
 * The drift event id for one column of one report on one model version: UUIDv7-shaped (its time
 * the report's, so lists keep recording order) with the rest from a hash, so a redelivered report
 * decides the same ids and records nothing twice.
 */
export function computedDriftEventId(reportTime: Date, reportId: string, modelName: string, modelVersion: number, column: string): string {
  const bytes = createHash('sha256').update(JSON.stringify([reportId, modelName, modelVersion, column])).digest().subarray(0, 16);
  bytes.writeUIntBE(reportTime.getTime(), 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
