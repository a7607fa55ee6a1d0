import { selectTestInfra } from './test-infra-mode';

const noSocket = () => false;
const socketAt = (path: string) => (candidate: string) => candidate === path;
const home = { HOME: '/home/dev' };

describe('selectTestInfra', () => {
  it('uses the local servers when no Docker engine is found', () => {
    expect(selectTestInfra(home, noSocket).mode).toBe('local');
  });

  it('uses containers when a Docker socket exists', () => {
    expect(selectTestInfra(home, socketAt('/var/run/docker.sock'))).toEqual({
      mode: 'testcontainers',
      reason: 'a Docker engine socket at /var/run/docker.sock',
    });
    expect(selectTestInfra(home, socketAt('/home/dev/.docker/run/docker.sock')).mode).toBe('testcontainers');
    expect(selectTestInfra({ ...home, XDG_RUNTIME_DIR: '/run/user/1000' }, socketAt('/run/user/1000/docker.sock')).mode).toBe('testcontainers');
  });

  it('uses containers when DOCKER_HOST is set, socket or not', () => {
    expect(selectTestInfra({ ...home, DOCKER_HOST: 'tcp://127.0.0.1:2375' }, noSocket).mode).toBe('testcontainers');
  });

  it('MLOPS_TEST_INFRA=local forces the local servers even with Docker', () => {
    expect(selectTestInfra({ ...home, MLOPS_TEST_INFRA: 'local', DOCKER_HOST: 'unix:///x' }, socketAt('/var/run/docker.sock'))).toEqual({
      mode: 'local',
      reason: 'MLOPS_TEST_INFRA=local',
    });
  });

  it('MLOPS_TEST_INFRA=testcontainers forces containers even without a socket', () => {
    expect(selectTestInfra({ ...home, MLOPS_TEST_INFRA: 'testcontainers' }, noSocket).mode).toBe('testcontainers');
  });

  it('servers named by KAFKA_BROKERS and MONGO_URL win over a Docker engine, unless containers are forced', () => {
    const named = { ...home, KAFKA_BROKERS: 'k:9092', MONGO_URL: 'mongodb://m/' };
    expect(selectTestInfra(named, socketAt('/var/run/docker.sock')).mode).toBe('local');
    expect(selectTestInfra({ ...named, MONGO_URL: undefined }, socketAt('/var/run/docker.sock')).mode).toBe('testcontainers');
    expect(selectTestInfra({ ...named, MLOPS_TEST_INFRA: 'testcontainers' }, noSocket).mode).toBe('testcontainers');
  });

  it('rejects an unknown MLOPS_TEST_INFRA', () => {
    expect(() => selectTestInfra({ ...home, MLOPS_TEST_INFRA: 'docker' }, noSocket)).toThrow('MLOPS_TEST_INFRA must be local or testcontainers');
  });
});
