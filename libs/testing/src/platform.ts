import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase } from './helpers';
import { isolatedEnv } from './infra';
import { ServiceProcess, startGateway, startServiceProcess } from './process';

export const SERVICES = ['feature-store', 'lifecycle', 'evaluation', 'prompt-governance'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface RunningPlatform {
  /** The gateway's base URL, e.g. http://127.0.0.1:41234 — what users, clients and browsers call. */
  url: string;
  gateway: ServiceProcess;
  services: Record<ServiceName, ServiceProcess>;
  /** The directory the feature store and evaluation harness read dataset files from. */
  dataRoot: string;
  /** The environment every service was started with (topic prefix, database base name, …). */
  env: Record<string, string>;
  /** Stops the gateway and the services, drops their databases and the data directory. */
  stop(): Promise<void>;
}

/**
 * The whole platform as users run it — four services and the gateway, each its own process, on a
 * private topic prefix and private databases — for suites that drive it from outside (the MLflow
 * client, a browser, a contract fuzzer). `serviceEnv` reaches every service, `gatewayEnv` the gateway.
 */
export async function startPlatform(
  label: string,
  { serviceEnv = {}, gatewayEnv = {} }: { serviceEnv?: Record<string, string>; gatewayEnv?: Record<string, string> } = {},
): Promise<RunningPlatform> {
  const dataRoot = mkdtempSync(join(tmpdir(), `${label}-data-`));
  const env = isolatedEnv(label, { FEATURE_STORE_DATA_ROOT: dataRoot, EVALUATION_DATA_ROOT: dataRoot, MLFLOW_ARTIFACT_ROOT: join(dataRoot, 'mlflow-artifacts'), ...serviceEnv });
  const database = (service: ServiceName) => `${env.MONGO_DB}_${service.replace('-', '_')}`;
  // Four processes compiling and joining their consumer groups at once: a shared CI machine needs longer than one.
  const started = await Promise.all(
    SERVICES.map((service) => startServiceProcess(service, { ...env, MONGO_DB: database(service) }, { timeoutMs: 180_000 })),
  );
  const services = Object.fromEntries(SERVICES.map((service, i) => [service, started[i]])) as Record<ServiceName, ServiceProcess>;
  const gateway = await startGateway({
    FEATURE_STORE_URL: services['feature-store'].url,
    LIFECYCLE_URL: services.lifecycle.url,
    EVALUATION_URL: services.evaluation.url,
    PROMPT_GOVERNANCE_URL: services['prompt-governance'].url,
    ...gatewayEnv,
  });
  return {
    url: gateway.url,
    gateway,
    services,
    dataRoot,
    env,
    stop: async () => {
      await gateway.stop();
      await Promise.all(started.map((service) => service.stop()));
      for (const service of SERVICES) await dropDatabase(env.MONGO_URL, database(service));
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}
