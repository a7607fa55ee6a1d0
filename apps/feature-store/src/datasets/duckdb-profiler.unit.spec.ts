import { DuckDBDecimalValue } from '@duckdb/node-api';
import { kindOf, microsToIso, quoteIdentifier, toProfileValue } from './duckdb-profiler';

describe('profile values', () => {
  it('keeps only what events may carry: finite numbers, safe integers, big integers as text', () => {
    expect(toProfileValue(1.5)).toBe(1.5);
    expect(toProfileValue(Number.NaN)).toBeNull();
    expect(toProfileValue(Number.POSITIVE_INFINITY)).toBeNull();
    expect(toProfileValue(42n)).toBe(42);
    expect(toProfileValue(-(2n ** 63n))).toBe('-9223372036854775808');
    expect(toProfileValue(2n ** 53n)).toBe('9007199254740992');
    expect(toProfileValue(new DuckDBDecimalValue(12345n, 10, 2))).toBe(123.45);
    expect(toProfileValue(null)).toBeNull();
    expect(toProfileValue(undefined)).toBeNull();
    expect(toProfileValue(false)).toBe(false);
    expect(toProfileValue('a\u0000b')).toBe('a\uFFFDb');
  });

  it('sorts DuckDB types into what gets min/max, mean and stddev', () => {
    expect(['BIGINT', 'DOUBLE', 'DECIMAL(18,3)', 'UHUGEINT'].map(kindOf)).toEqual(['numeric', 'numeric', 'numeric', 'numeric']);
    expect(['DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIME'].map(kindOf)).toEqual(['temporal', 'temporal', 'temporal', 'temporal']);
    expect(['VARCHAR', 'UUID', "ENUM('a', 'b')"].map(kindOf)).toEqual(['text', 'text', 'text']);
    expect(['BOOLEAN', 'INTEGER[]', 'STRUCT(a INTEGER)', 'BLOB'].map(kindOf)).toEqual(['boolean', 'other', 'other', 'other']);
  });

  it('shows timestamps as ISO-8601 UTC with microseconds, before and after 1970', () => {
    expect(microsToIso(1_704_067_200_000_001n)).toBe('2024-01-01T00:00:00.000001Z');
    expect(microsToIso(-1n)).toBe('1969-12-31T23:59:59.999999Z');
    expect(microsToIso(9_223_372_036_854_775_807n)).toBeNull();
    expect(microsToIso(null)).toBeNull();
  });

  it('quotes identifiers so a column name is never SQL', () => {
    expect(quoteIdentifier('a"; DROP TABLE t; --')).toBe('"a""; DROP TABLE t; --"');
  });
});
