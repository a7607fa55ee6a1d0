import { isAbsolute, relative, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { invalidInput, invalidState } from '@mlops/event-sourcing';
import { KnownDatasetDocument } from './datasets.projection';

export type CellValue = string | number | boolean | null;

/** DuckDB values as JSON: BIGINT within 2^53 as a number, DECIMAL as a number, dates and others as text. */
function toCell(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  const text = String(value);
  const number = Number(text);
  return text.trim() !== '' && Number.isFinite(number) && /^-?[\d.]+(e[-+]?\d+)?$/i.test(text) ? number : text;
}

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The dataset's file under the data root; never outside it. */
export function datasetFile(dataRoot: string, path: string): string {
  const root = resolve(dataRoot);
  const file = resolve(root, path);
  const inside = relative(root, file);
  if (inside.startsWith('..') || isAbsolute(inside)) throw invalidInput(`Dataset path ${path} is outside the data root`);
  return file;
}

/**
 * Reads the given columns of a registered dataset through DuckDB, in the dataset's own order,
 * as columns (one array per column): a 100,000-row dataset is a handful of arrays.
 */
export async function readDatasetColumns(
  dataRoot: string,
  dataset: KnownDatasetDocument,
  columns: string[],
  maxRows: number,
): Promise<{ rows: number; columns: Map<string, CellValue[]> }> {
  const file = datasetFile(dataRoot, dataset.path);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    let from: string;
    if (dataset.source_type === 'csv') from = `read_csv_auto(${sqlString(file)})`;
    else if (dataset.source_type === 'parquet') from = `read_parquet(${sqlString(file)})`;
    else {
      await connection.run(`ATTACH ${sqlString(file)} AS source (READ_ONLY)`);
      from = `source.main.${quoteIdentifier(dataset.table_name ?? '')}`;
    }
    const select = columns.map(quoteIdentifier).join(', ');
    const result = await connection.runAndReadAll(`SELECT ${select} FROM ${from} LIMIT ${maxRows + 1}`);
    const rows = result.getRowObjects();
    if (rows.length > maxRows) throw invalidState(`Dataset ${dataset.dataset_id} has more than ${maxRows} rows`);
    return { rows: rows.length, columns: new Map(columns.map((column) => [column, rows.map((row) => toCell(row[column]))])) };
  } catch (error) {
    if ((error as { kind?: string }).kind) throw error;
    throw invalidState(`Dataset ${dataset.dataset_id} cannot be read: ${(error as Error).message}`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const sqlString = (value: string) => `'${value.replace(/'/g, "''")}'`;

