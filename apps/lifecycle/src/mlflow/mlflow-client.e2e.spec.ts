import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { RunningPlatform, startPlatform } from '@mlops/testing';

const CACHE = process.env.MLOPS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mlops');
const PYTHON = join(CACHE, 'venvs', 'mlflow-client', 'bin', 'python');
const SUITE = resolve(__dirname, '../../mlflow-client');
// The MLflow client sends it as Authorization: Bearer, the gateway's API key scheme.
const TOKEN = 'mlflow-client-e2e-key-0123456789';
const ACTOR = 'mlflow-e2e';

function runPytest(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--color=no', SUITE], {
      cwd: SUITE,
      env: { ...process.env, ...env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', fail);
    child.on('exit', (code) => done({ code, output }));
  });
}

describe('the real mlflow client (fluent API and MlflowClient) against the gateway', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    if (!existsSync(PYTHON)) {
      throw new Error(`the mlflow client venv is missing at ${PYTHON}: run bash tools/setup/mlflow-client.sh (tools/test.sh runs it)`);
    }
    platform = await startPlatform('mlflow', { gatewayEnv: { GATEWAY_API_KEYS: `${TOKEN}=${ACTOR}` } });
    // Five processes compiling from source start slowly on shared CI cores; the bound is generous.
  }, 420_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('passes every pytest test in apps/lifecycle/mlflow-client, each checked through /api/v1/ml/lifecycle too', async () => {
    const { code, output } = await runPytest({
      MLFLOW_TRACKING_URI: platform.url,
      MLFLOW_TRACKING_TOKEN: TOKEN,
      MLOPS_EXPECTED_ACTOR: ACTOR,
      // Where tests put the files they register as Feature Store datasets.
      MLOPS_DATA_ROOT: platform.dataRoot,
      // The client retries 5xx for minutes by default; a failure should show at once.
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
      MLFLOW_HTTP_REQUEST_TIMEOUT: '60',
    });
    if (code !== 0) throw new Error(`pytest exited with ${code}:\n${output}`);
    expect(output).toMatch(/\d+ passed/);
  }, 900_000);
});
