import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DomainError } from '@mlops/event-sourcing';
import { readDatasetColumns } from './dataset-reader';
import { KnownDatasetDocument } from './datasets.projection';

const dataset = (over: Partial<KnownDatasetDocument>): KnownDatasetDocument => ({
  _id: 'dataset:d', version: 1, dataset_id: 'd', name: 'd', source_type: 'csv', path: 'd.csv', table_name: null, schema: [], row_count: 3,
  size_bytes: 0, content_sha256: null, profile: [], registered_at: '', profiled_at: '', ...over,
});

describe('reading dataset cases through DuckDB', () => {
  const root = mkdtempSync(join(tmpdir(), 'evaluation-datasets-'));

  beforeAll(async () => {
    writeFileSync(join(root, 'd.csv'), 'id,label,score,country\n10,1,0.5,DE\n11,0,1.25,FR\n12,1,,DE\n');
    const instance = await DuckDBInstance.create(join(root, 'd.duckdb'));
    const connection = await instance.connect();
    await connection.run(`CREATE TABLE holdout AS SELECT * FROM read_csv_auto('${join(root, 'd.csv')}')`);
    await connection.run(`COPY holdout TO '${join(root, 'd.parquet')}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['csv', { source_type: 'csv', path: 'd.csv' }],
    ['parquet', { source_type: 'parquet', path: 'd.parquet' }],
    ['a DuckDB table', { source_type: 'duckdb_table', path: 'd.duckdb', table_name: 'holdout' }],
  ] as [string, Partial<KnownDatasetDocument>][])('reads %s as columns of JSON values, in order', async (_label, source) => {
    const { rows, columns } = await readDatasetColumns(root, dataset(source), ['id', 'label', 'score', 'country'], 10);
    expect(rows).toBe(3);
    expect(columns.get('id')).toEqual([10, 11, 12]);
    expect(columns.get('label')).toEqual([1, 0, 1]);
    expect(columns.get('score')).toEqual([0.5, 1.25, null]);
    expect(columns.get('country')).toEqual(['DE', 'FR', 'DE']);
  });

  it('refuses paths outside the data root, more rows than allowed, and unreadable files', async () => {
    await expect(readDatasetColumns(root, dataset({ path: '../etc/passwd' }), ['id'], 10)).rejects.toThrow(/outside the data root/);
    await expect(readDatasetColumns(root, dataset({}), ['id'], 2)).rejects.toThrow(/more than 2 rows/);
    const missing = readDatasetColumns(root, dataset({ path: 'nope.csv' }), ['id'], 10);
    await expect(missing).rejects.toBeInstanceOf(DomainError);
    await expect(readDatasetColumns(root, dataset({}), ['no_such_column'], 10)).rejects.toThrow(/cannot be read/);
  });
});
