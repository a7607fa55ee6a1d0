/**
 * `mlflow server` on the project's own PostgreSQL: the venv under the shared download cache
 * (created on first use), a database dropped and recreated per run, the server in its own process
 * group with telemetry and the background job runner off.
 */
import { existsSync, readdirSync, rmSync, writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, GroupProcess, onCleanup, runOrThrow, spawnGroup, waitHttpOk } from './processes';

/** 3.17 is the oldest release the comparison was written against (REST API 2.0 shapes). */
export const MLFLOW_REQUIREMENT = 'mlflow>=3.17';
const REQUIREMENTS = [MLFLOW_REQUIREMENT, 'psycopg2-binary'];

export const cacheDir = () => process.env.MLOPS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mlops');
export const venvDir = () => join(cacheDir(), 'venvs', 'mlflow');

/** Creates the venv when it is missing or was left half-installed; returns its bin directory. */
export function ensureVenv(): string {
  const dir = venvDir();
  const stamp = join(dir, '.installed');
  const want = REQUIREMENTS.join(' ');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return join(dir, 'bin');
  const python = process.env.BENCH_PYTHON ?? 'python3.11';
  console.error(`[bench] creating ${dir} (${python}) and installing ${want} from PyPI (first run only)`);
  rmSync(dir, { recursive: true, force: true });
  runOrThrow(python, ['-m', 'venv', dir]);
  runOrThrow(join(dir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...REQUIREMENTS]);
  writeFileSync(stamp, `${want}\n`);
  return join(dir, 'bin');
}

export function mlflowVersion(bin: string): string {
  return runOrThrow(join(bin, 'python'), ['-c', 'import mlflow; print(mlflow.__version__)'], { quiet: true }).trim();
}

export interface Postgres {
  host: string;
  port: number;
  psql: string;
}

/** The cluster `tools/infra.sh` runs (trust auth on loopback), and a psql binary for it. */
export function postgres(): Postgres {
  const port = Number(process.env.PG_PORT ?? 5433);
  const candidates = [
    process.env.PSQL,
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin/psql`)
      : []),
  ].filter((p): p is string => !!p && existsSync(p));
  return { host: '127.0.0.1', port, psql: candidates[0] ?? 'psql' };
}

function psql(pg: Postgres, ...commands: string[]): void {
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', pg.host, '-p', String(pg.port), '-U', 'postgres', '-d', 'postgres'];
  for (const command of commands) args.push('-c', command);
  runOrThrow(pg.psql, args, { quiet: true });
}

export function recreateDatabase(pg: Postgres, db: string): void {
  psql(pg, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`, `CREATE DATABASE ${db}`);
}

export function dropDatabase(pg: Postgres, db: string): void {
  psql(pg, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
}

export interface MlflowServer {
  url: string;
  version: string;
  process: GroupProcess;
  workers: number;
  database: string;
}

export async function startMlflow(options: { logDir: string; database?: string; workers?: number }): Promise<MlflowServer> {
  const bin = ensureVenv();
  const version = mlflowVersion(bin);
  const pg = postgres();
  const database = options.database ?? 'mlflow_bench';
  const workers = options.workers ?? Number(process.env.BENCH_MLFLOW_WORKERS ?? 4);
  recreateDatabase(pg, database);
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 'bench-mlflow-'));
  // Registered before the server, so it runs after the server has stopped.
  onCleanup('mlflow database', async () => {
    if (process.env.BENCH_KEEP_MLFLOW_DB !== '1') dropDatabase(pg, database);
    rmSync(home, { recursive: true, force: true });
  });
  const proc = spawnGroup(
    'mlflow server',
    join(bin, 'mlflow'),
    [
      'server',
      // psycopg2: the plain postgresql:// scheme would pick psycopg 3, which is not installed.
      '--backend-store-uri',
      `postgresql+psycopg2://postgres@${pg.host}:${pg.port}/${database}`,
      '--artifacts-destination',
      join(home, 'artifacts'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      String(workers),
    ],
    {
      cwd: home,
      log: join(options.logDir, 'mlflow-server.log'),
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        // Nothing phones out, and no job runner competes for the two cores.
        MLFLOW_DISABLE_TELEMETRY: 'true',
        DO_NOT_TRACK: 'true',
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  // The first start on a new database runs its schema migrations.
  await waitHttpOk(`${url}/health`, Number(process.env.BENCH_MLFLOW_START_TIMEOUT_S ?? 240), proc);
  return { url, version, process: proc, workers, database };
}
