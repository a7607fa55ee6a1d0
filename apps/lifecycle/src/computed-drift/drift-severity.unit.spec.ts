import { computedDriftEventId, severityOf } from './drift-severity';

const pValue = (p_value: number, drifted = true) => ({ drifted, p_value, distance: null, threshold: 0.05 });
const distance = (value: number, drifted = true) => ({ drifted, p_value: null, distance: value, threshold: 0.1 });

describe('severity of a computed drift', () => {
  it('is nothing for a column that did not drift', () => {
    expect(severityOf(pValue(0.2, false))).toBeNull();
    expect(severityOf(distance(0.05, false))).toBeNull();
  });

  it('grows as the p-value falls below the threshold: medium, a tenth high, a hundredth critical', () => {
    expect(severityOf(pValue(0.049))).toBe('medium');
    expect(severityOf(pValue(0.005))).toBe('high');
    expect(severityOf(pValue(0.0005))).toBe('critical');
    expect(severityOf(pValue(0))).toBe('critical');
  });

  it('grows as the distance passes the threshold: medium, 1.5 times high, twice critical', () => {
    expect(severityOf(distance(0.1))).toBe('medium');
    expect(severityOf(distance(0.16))).toBe('high');
    expect(severityOf(distance(0.2))).toBe('critical');
  });
});

describe('drift event ids of a report', () => {
  const at = new Date('2026-12-02T01:00:00Z');
  it('are the same for the same report, version and column, and differ otherwise', () => {
    const id = computedDriftEventId(at, 'r1', 'churn', 1, 'amount');
    expect(computedDriftEventId(at, 'r1', 'churn', 1, 'amount')).toBe(id);
    expect(new Set([id, computedDriftEventId(at, 'r1', 'churn', 2, 'amount'), computedDriftEventId(at, 'r1', 'churn', 1, 'country'), computedDriftEventId(at, 'r2', 'churn', 1, 'amount')]).size).toBe(4);
  });

  it('are UUIDv7 whose time is the report time', () => {
    const id = computedDriftEventId(at, 'r1', 'churn', 1, 'amount');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at.getTime());
  });
});
