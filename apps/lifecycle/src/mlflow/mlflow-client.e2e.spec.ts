import { RunningPlatform, startPlatform } from '@mlops/testing';
import { assertMlflowClientInstalled, MLFLOW_CLIENT_GATEWAY_ENV, runMlflowPytest } from './mlflow-pytest';

describe('the real mlflow client (fluent API and MlflowClient) against the gateway', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    assertMlflowClientInstalled();
    platform = await startPlatform('mlflow', { gatewayEnv: MLFLOW_CLIENT_GATEWAY_ENV });
    // Five processes compiling from source start slowly on shared CI cores; the bound is generous.
  }, 420_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('passes every pytest test in apps/lifecycle/mlflow-client, each checked through /api/v1/ml/lifecycle too', async () => {
    const { code, output } = await runMlflowPytest(platform);
    if (code !== 0) throw new Error(`pytest exited with ${code}:\n${output}`);
    expect(output).toMatch(/\d+ passed/);
  }, 900_000);
});
