import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DuckDBConnection, DuckDBDecimalValue, DuckDBInstance } from '@duckdb/node-api';
import { ColumnProfile, DatasetColumn, DatasetProfileData, DatasetSourceType, ProfileValue } from '@mlops/events';
import { DomainError, invalidState } from '@mlops/event-sourcing';
import { SERVICE_CONFIG } from '@mlops/platform';
import type { FeatureStoreConfig } from '../config';

/** Where DuckDB reads a dataset from: a file, or a table of a database file (both already checked to be under the data root). */
export interface DatasetLocation {
  source_type: DatasetSourceType;
  /** The file, or the DuckDB database file. */
  absolutePath: string;
  /** The data root's real path: the only directory DuckDB may touch. */
  root: string;
  table_name: string | null;
}

type Kind = 'numeric' | 'temporal' | 'text' | 'boolean' | 'other';

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$/;
const TIMESTAMP = /^(TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE)$/;
const FLOATING = /^(FLOAT|DOUBLE)$/;
const TEXT_MAX = 256;

export function kindOf(type: string): Kind {
  if (NUMERIC.test(type)) return 'numeric';
  if (TIMESTAMP.test(type) || type === 'DATE' || type === 'TIME' || type === 'TIME WITH TIME ZONE') return 'temporal';
  if (type === 'VARCHAR' || type === 'UUID' || type.startsWith('ENUM(')) return 'text';
  if (type === 'BOOLEAN') return 'boolean';
  return 'other';
}

export const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** min/max as SQL: temporal values as ISO-8601 text, text cut to 256 characters, numbers as they are. */
function extremum(fn: 'min' | 'max', column: string, type: string, filter: string): string {
  const value = `${fn}(${column})${filter}`;
  switch (kindOf(type)) {
    case 'numeric':
    case 'boolean':
      return value;
    case 'temporal':
      // Timestamps as epoch microseconds: independent of the session time zone.
      return TIMESTAMP.test(type) ? `epoch_us(${value})` : `CAST(${value} AS VARCHAR)`;
    case 'text':
      return `left(CAST(${value} AS VARCHAR), ${TEXT_MAX})`;
    default:
      return 'NULL';
  }
}

/** NUL cannot be stored by PostgreSQL-backed document stores (FerretDB); data may contain it. */
export const storable = (text: string) => text.replace(/\u0000/g, '\uFFFD');

/** DuckDB values → what events may carry: finite numbers, big integers as decimal strings, no NaN/Infinity. */
export function toProfileValue(value: unknown): ProfileValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return storable(value);
  if (value instanceof DuckDBDecimalValue) return toProfileValue(value.toDouble());
  return String(value);
}

/** Epoch microseconds → ISO-8601 UTC with microseconds; null beyond what a JavaScript date can show. */
export function microsToIso(value: unknown): string | null {
  if (typeof value !== 'bigint') return null;
  const micros = ((value % 1000n) + 1000n) % 1000n;
  const date = new Date(Number((value - micros) / 1000n));
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
}

const toNumber = (value: unknown): number | null => {
  const converted = toProfileValue(value);
  return typeof converted === 'number' ? converted : null;
};
const toCount = (value: unknown): number => Number(value as bigint | number);

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Reads and profiles datasets with DuckDB. Each operation gets its own in-memory DuckDB that may
 * read only under the data root (external access off, configuration locked), so neither a path nor
 * a feature's SQL expression can reach other files. Operations queue beyond the configured
 * concurrency so profiles cannot starve the request path.
 */
@Injectable()
export class DuckDbProfiler implements OnModuleInit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(@Inject(SERVICE_CONFIG) private readonly config: FeatureStoreConfig) {}

  /** The data root and the scratch directory exist from the start (an existing, read-only mount is fine). */
  async onModuleInit(): Promise<void> {
    await mkdir(this.config.FEATURE_STORE_DATA_ROOT, { recursive: true }).catch(() => undefined);
    await mkdir(this.config.FEATURE_STORE_DUCKDB_TEMP_DIR, { recursive: true });
  }

  /** Schema, row count, size, content hash and per-column profile; a file DuckDB cannot read → 422 with DuckDB's reason. */
  async profile(location: DatasetLocation): Promise<DatasetProfileData> {
    return this.withDuckDb(location, async (connection, source) => {
      const schema = await this.describe(connection, `SELECT * FROM ${source}`);
      const profile = await this.profileColumns(connection, source, schema);
      const [size_bytes, content_sha256] =
        location.source_type === 'duckdb_table'
          ? [await this.tableSize(connection, location.table_name!), null]
          : [(await stat(location.absolutePath)).size, await sha256Of(location.absolutePath)];
      return { schema, row_count: profile.rowCount, size_bytes, content_sha256, profile: profile.columns };
    });
  }

  /** The DuckDB type of a SQL expression over the dataset's columns; one DuckDB cannot bind → 422 with its reason. */
  async expressionType(location: DatasetLocation, expression: string): Promise<string> {
    return this.withDuckDb(location, async (connection, source) => {
      const columns = await this.describe(connection, `SELECT (${expression}) AS value FROM ${source}`);
      // An expression that closes the parenthesis and adds columns is not one expression.
      if (columns.length !== 1) throw invalidState(`The expression must be one scalar expression; it yields ${columns.length} columns`);
      return columns[0].type;
    });
  }

  private async describe(connection: DuckDBConnection, select: string): Promise<DatasetColumn[]> {
    // Prepared first: a second statement smuggled into an expression is refused, not run.
    const prepared = await connection.prepare(`DESCRIBE ${select}`);
    const rows = (await prepared.runAndReadAll()).getRowObjects();
    return rows.map((row) => ({ column: storable(String(row.column_name)), type: String(row.column_type) }));
  }

  private async profileColumns(
    connection: DuckDBConnection,
    source: string,
    schema: DatasetColumn[],
  ): Promise<{ rowCount: number; columns: ColumnProfile[] }> {
    const aggregates = schema.flatMap(({ column, type }, i) => {
      const q = quoteIdentifier(column);
      const numeric = kindOf(type) === 'numeric';
      // Floating-point min, max, mean and stddev are over the finite values: NaN and ±inf would poison them.
      const finite = FLOATING.test(type) ? ` FILTER (WHERE isfinite(${q}))` : '';
      return [
        `count(${q}) AS c${i}`,
        `approx_count_distinct(${q}) AS d${i}`,
        `${extremum('min', q, type, finite)} AS mn${i}`,
        `${extremum('max', q, type, finite)} AS mx${i}`,
        numeric ? `avg(${q})${finite} AS av${i}` : `NULL AS av${i}`,
        numeric ? `stddev_samp(${q})${finite} AS sd${i}` : `NULL AS sd${i}`,
      ];
    });
    const result = await connection.runAndReadAll(`SELECT ${['count(*) AS n', ...aggregates].join(', ')} FROM ${source}`);
    const [row] = result.getRowObjects();
    const rowCount = toCount(row.n);
    const columns = schema.map(({ column, type }, i) => ({
      column,
      type,
      null_count: rowCount - toCount(row[`c${i}`]),
      approx_distinct: toCount(row[`d${i}`]),
      min: TIMESTAMP.test(type) ? microsToIso(row[`mn${i}`]) : toProfileValue(row[`mn${i}`]),
      max: TIMESTAMP.test(type) ? microsToIso(row[`mx${i}`]) : toProfileValue(row[`mx${i}`]),
      mean: toNumber(row[`av${i}`]),
      stddev: toNumber(row[`sd${i}`]),
    }));
    return { rowCount, columns };
  }

  /** The table's blocks in the database file, in bytes. */
  private async tableSize(connection: DuckDBConnection, table: string): Promise<number> {
    const blocks = await connection.runAndReadAll(
      `SELECT count(DISTINCT block_id) AS blocks FROM pragma_storage_info(${quoteLiteral(`src.${table}`)}) WHERE block_id >= 0`,
    );
    const size = await connection.runAndReadAll(`SELECT block_size FROM pragma_database_size() WHERE database_name = 'src'`);
    return toCount(blocks.getRowObjects()[0].blocks) * toCount(size.getRowObjects()[0].block_size);
  }

  private async withDuckDb<T>(location: DatasetLocation, work: (connection: DuckDBConnection, source: string) => Promise<T>): Promise<T> {
    return this.withDatasets([location], (connection, [source]) => work(connection, source));
  }

  /**
   * Runs `work` in one fenced DuckDB that reads all of `locations` (a drift report compares two
   * datasets in one query); the sources are SQL table expressions in the same order.
   */
  async withDatasets<T>(locations: DatasetLocation[], work: (connection: DuckDBConnection, sources: string[]) => Promise<T>): Promise<T> {
    await this.acquire();
    let instance: DuckDBInstance | undefined;
    let connection: DuckDBConnection | undefined;
    try {
      instance = await DuckDBInstance.create(':memory:', {
        threads: String(this.config.FEATURE_STORE_DUCKDB_THREADS),
        memory_limit: this.config.FEATURE_STORE_DUCKDB_MEMORY_LIMIT,
        temp_directory: this.config.FEATURE_STORE_DUCKDB_TEMP_DIR,
      });
      connection = await instance.connect();
      const sources: string[] = [];
      for (const [i, location] of locations.entries()) sources.push(await this.attach(connection, location, i === 0 ? 'src' : `src${i}`));
      await this.fence(connection, locations[0].root);
      return await work(connection, sources);
    } catch (error) {
      throw this.explain(error, locations[0]);
    } finally {
      connection?.closeSync();
      instance?.closeSync();
      this.release();
    }
  }

  /** What is to be read, as a table expression; a DuckDB database file is attached read-only under `alias`. */
  private async attach(connection: DuckDBConnection, location: DatasetLocation, alias: string): Promise<string> {
    switch (location.source_type) {
      case 'csv':
        return `read_csv(${quoteLiteral(location.absolutePath)}, auto_detect = true)`;
      case 'parquet':
        return `read_parquet(${quoteLiteral(location.absolutePath)})`;
      case 'duckdb_table': {
        await connection.run(`ATTACH ${quoteLiteral(location.absolutePath)} AS ${alias} (READ_ONLY)`);
        const table = location.table_name!.split('.').map(quoteIdentifier).join('.');
        return `${alias}.${table}`;
      }
    }
  }

  /** Fences DuckDB into the data root once everything is attached. */
  private async fence(connection: DuckDBConnection, dataRoot: string): Promise<void> {
    const root = dataRoot.endsWith(sep) ? dataRoot : dataRoot + sep;
    await connection.run(`SET allowed_directories = [${quoteLiteral(root)}]`);
    await connection.run(`SET enable_external_access = false`);
    await connection.run(`SET lock_configuration = true`);
  }

  /** DuckDB's reason, without the server's absolute paths. */
  private explain(error: unknown, location: DatasetLocation) {
    // Duck-typed: errors from the native binding come from another realm under some runners.
    if (error instanceof DomainError || typeof (error as Error)?.message !== 'string') return error;
    const root = location.root.endsWith(sep) ? location.root : location.root + sep;
    const reason = (error as Error).message.split(root).join('').split('\n')[0];
    return invalidState(`DuckDB cannot read the dataset: ${reason}`, [{ field: 'path', message: reason }]);
  }

  private async acquire(): Promise<void> {
    if (this.running < this.config.FEATURE_STORE_PROFILE_CONCURRENCY) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
