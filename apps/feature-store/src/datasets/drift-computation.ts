import { Injectable } from '@nestjs/common';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetColumn, DriftColumnKind, DriftColumnResult, DriftMethod } from '@mlops/events';
import { invalidState } from '@mlops/event-sourcing';
import { ColumnDrift, ColumnSummary, NUMERICAL_ONLY } from './drift-report';
import { DatasetLocation, DuckDbProfiler, kindOf, quoteIdentifier } from './duckdb-profiler';

export interface DriftColumnRequest {
  column: string;
  method?: DriftMethod;
  threshold?: number;
}

export interface DriftSide {
  schema: DatasetColumn[];
  location: DatasetLocation;
}

/** Numbers are compared as numbers, text and booleans as categories; other types (dates, lists, structs) are not compared by default. */
export function driftKindOf(type: string): DriftColumnKind | null {
  switch (kindOf(type)) {
    case 'numeric':
      return 'numerical';
    case 'text':
    case 'boolean':
      return 'categorical';
    default:
      return null;
  }
}

/** The columns to compare: those asked for, or every column of a comparable type the two datasets share. */
export function driftColumns(current: DatasetColumn[], reference: DatasetColumn[], requested?: DriftColumnRequest[]) {
  const referenceTypes = new Map(reference.map((c) => [c.column, c.type]));
  if (!requested) {
    return current
      .filter((c) => referenceTypes.has(c.column) && driftKindOf(c.type) && driftKindOf(c.type) === driftKindOf(referenceTypes.get(c.column)!))
      .map((c) => ({ ...c, kind: driftKindOf(c.type)!, requested: undefined as DriftColumnRequest | undefined }));
  }
  const currentTypes = new Map(current.map((c) => [c.column, c.type]));
  return requested.map((r) => {
    const type = currentTypes.get(r.column);
    const referenceType = referenceTypes.get(r.column);
    if (type === undefined || referenceType === undefined) {
      throw invalidState(`Column ${r.column} is not in both datasets`, [{ field: 'columns', message: `${r.column} missing` }]);
    }
    const kind = driftKindOf(type);
    if (!kind || kind !== driftKindOf(referenceType)) {
      throw invalidState(`Column ${r.column} cannot be compared: ${referenceType} in the reference, ${type} in the dataset`);
    }
    if (r.method && kind === 'categorical' && NUMERICAL_ONLY.includes(r.method)) {
      throw invalidState(`Method ${r.method} needs a numerical column; ${r.column} is ${type}`, [{ field: 'columns', message: `${r.column}: ${r.method}` }]);
    }
    return { column: r.column, type, kind, requested: r };
  });
}

const toCount = (value: unknown) => Number(value as bigint | number);

/**
 * Runs the drift aggregates in DuckDB: per column one GROUP BY per side, joined into the merged
 * (value, reference count, current count) table, a summary of it, then its rows in value order
 * streamed chunk by chunk into the column's accumulator. Rows never reach Node; distinct values
 * pass through once.
 */
@Injectable()
export class DriftComputation {
  constructor(private readonly profiler: DuckDbProfiler) {}

  async compare(current: DriftSide, reference: DriftSide, requested?: DriftColumnRequest[]): Promise<{ columns: DriftColumnResult[]; currentRows: number; referenceRows: number }> {
    const columns = driftColumns(current.schema, reference.schema, requested);
    if (columns.length === 0) throw invalidState('The datasets share no column that can be compared');
    return this.profiler.withDatasets([current.location, reference.location], async (connection, [currentSource, referenceSource]) => {
      const results: DriftColumnResult[] = [];
      for (const [i, column] of columns.entries()) {
        results.push(await this.column(connection, i, column, currentSource, referenceSource));
      }
      const rows = await connection.runAndReadAll(`SELECT (SELECT count(*) FROM ${currentSource}) AS c, (SELECT count(*) FROM ${referenceSource}) AS r`);
      const [row] = rows.getRowObjects();
      return { columns: results, currentRows: toCount(row.c), referenceRows: toCount(row.r) };
    });
  }

  private async column(
    connection: DuckDBConnection,
    i: number,
    column: { column: string; type: string; kind: DriftColumnKind; requested?: DriftColumnRequest },
    currentSource: string,
    referenceSource: string,
  ): Promise<DriftColumnResult> {
    const q = quoteIdentifier(column.column);
    const numerical = column.kind === 'numerical';
    const value = numerical ? `CAST(${q} AS DOUBLE)` : `CAST(${q} AS VARCHAR)`;
    // Evidently drops nulls, and infinities with them.
    const keep = numerical ? `${q} IS NOT NULL AND isfinite(${value})` : `${q} IS NOT NULL`;
    const side = (source: string, flag: number) => `SELECT ${value} AS v, ${flag} AS side FROM ${source} WHERE ${keep}`;
    const merged = `drift_${i}`;
    // One hash aggregate over both sides (faster than a join of two).
    await connection.run(
      `CREATE TEMP TABLE ${merged} AS SELECT v, count(*) FILTER (WHERE side = 0) AS rn, count(*) FILTER (WHERE side = 1) AS cn
       FROM (${side(referenceSource, 0)} UNION ALL ${side(currentSource, 1)}) GROUP BY v`,
    );
    try {
      const summaryRows = await connection.runAndReadAll(
        `SELECT sum(rn) AS rn, sum(cn) AS cn, count(*) FILTER (WHERE rn > 0) AS rd, count(*) AS d, ${numerical ? 'min(v)' : 'NULL'} AS mn, ${numerical ? 'max(v)' : 'NULL'} AS mx FROM ${merged}`,
      );
      const [s] = summaryRows.getRowObjects();
      const summary: ColumnSummary = {
        kind: column.kind,
        referenceCount: toCount(s.rn ?? 0),
        currentCount: toCount(s.cn ?? 0),
        referenceDistinct: toCount(s.rd),
        combinedDistinct: toCount(s.d),
        min: s.mn === null ? null : Number(s.mn),
        max: s.mx === null ? null : Number(s.mx),
      };
      // Evidently refuses a column with nothing to compare on either side.
      if (summary.referenceCount === 0) throw invalidState(`Column ${column.column} has no non-null values in the reference dataset`);
      if (summary.currentCount === 0) throw invalidState(`Column ${column.column} has no non-null values in the dataset`);
      const drift = new ColumnDrift(column.column, column.type, summary, column.requested);
      const result = await connection.stream(`SELECT v, rn::DOUBLE AS rn, cn::DOUBLE AS cn FROM ${merged} ORDER BY v`);
      // Column-wise chunks: no value objects per row.
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        const [values, rn, cn] = chunk.getColumns() as [unknown[], number[], number[]];
        for (let k = 0; k < values.length; k++) drift.add(numerical ? (values[k] as number) : String(values[k]), rn[k], cn[k]);
      }
      return drift.result();
    } finally {
      await connection.run(`DROP TABLE ${merged}`);
    }
  }
}
