import { homedir } from 'node:os';
import { join } from 'node:path';

export type TestInfraMode = 'local' | 'testcontainers';

/** Where a Docker-compatible engine usually listens (Linux, rootless, Docker Desktop, Colima, Podman). */
export function dockerSocketCandidates(env: Record<string, string | undefined>): string[] {
  const home = env.HOME ?? homedir();
  return [
    '/var/run/docker.sock',
    ...(env.XDG_RUNTIME_DIR ? [join(env.XDG_RUNTIME_DIR, 'docker.sock'), join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock')] : []),
    join(home, '.docker', 'run', 'docker.sock'),
    join(home, '.colima', 'default', 'docker.sock'),
  ];
}

/**
 * Which servers the integration and e2e suites run against:
 * - `MLOPS_TEST_INFRA=local` or `=testcontainers` decides;
 * - else KAFKA_BROKERS and MONGO_URL both set in the environment name servers to use: local;
 * - else a Docker engine (DOCKER_HOST, or a socket that exists): testcontainers (MongoDB 7, Apache Kafka);
 * - else local: the servers of `tools/infra.sh up` (.cache/infra/env).
 */
export function selectTestInfra(
  env: Record<string, string | undefined>,
  exists: (path: string) => boolean,
): { mode: TestInfraMode; reason: string } {
  const forced = env.MLOPS_TEST_INFRA?.trim();
  if (forced === 'local' || forced === 'testcontainers') return { mode: forced, reason: `MLOPS_TEST_INFRA=${forced}` };
  if (forced) throw new Error(`MLOPS_TEST_INFRA must be local or testcontainers, not ${JSON.stringify(forced)}`);
  if (env.KAFKA_BROKERS && env.MONGO_URL) return { mode: 'local', reason: 'KAFKA_BROKERS and MONGO_URL are set' };
  if (env.DOCKER_HOST) return { mode: 'testcontainers', reason: `DOCKER_HOST=${env.DOCKER_HOST}` };
  const socket = dockerSocketCandidates(env).find(exists);
  if (socket) return { mode: 'testcontainers', reason: `a Docker engine socket at ${socket}` };
  return { mode: 'local', reason: 'no Docker engine found: the servers of tools/infra.sh' };
}
