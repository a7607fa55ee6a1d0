import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { RunningPlatform } from '@mlops/testing';

const CACHE = process.env.MLOPS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mlops');
const PYTHON = join(CACHE, 'venvs', 'mlflow-client', 'bin', 'python');
const SUITE = resolve(__dirname, '../../mlflow-client');
/** The MLflow client sends it as Authorization: Bearer, the gateway's API key scheme. */
export const MLFLOW_CLIENT_TOKEN = 'mlflow-client-e2e-key-0123456789';
export const MLFLOW_CLIENT_ACTOR = 'mlflow-e2e';
export const MLFLOW_CLIENT_GATEWAY_ENV = { GATEWAY_API_KEYS: `${MLFLOW_CLIENT_TOKEN}=${MLFLOW_CLIENT_ACTOR}` };

export function assertMlflowClientInstalled(): void {
  if (!existsSync(PYTHON)) {
    throw new Error(`the mlflow client venv is missing at ${PYTHON}: run bash tools/setup/mlflow-client.sh (tools/test.sh runs it)`);
  }
}

/** Runs pytest over apps/lifecycle/mlflow-client (or the named files in it) with the real mlflow client against the platform's gateway. */
export function runMlflowPytest(platform: RunningPlatform, files: string[] = []): Promise<{ code: number | null; output: string }> {
  const env = {
    MLFLOW_TRACKING_URI: platform.url,
    MLFLOW_TRACKING_TOKEN: MLFLOW_CLIENT_TOKEN,
    MLOPS_EXPECTED_ACTOR: MLFLOW_CLIENT_ACTOR,
    // Where tests put the files they register as Feature Store datasets.
    MLOPS_DATA_ROOT: platform.dataRoot,
    // The client retries 5xx for minutes by default; a failure should show at once.
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
    MLFLOW_HTTP_REQUEST_TIMEOUT: '60',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  return new Promise((done, fail) => {
    const child = spawn(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--color=no', ...(files.length ? files : [SUITE])], {
      cwd: SUITE,
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', fail);
    child.on('exit', (code) => done({ code, output }));
  });
}
