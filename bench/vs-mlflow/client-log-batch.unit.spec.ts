import { driverArgs, driverEnv, DRIVER, summariseDriverReport } from './client-log-batch';

const options = { python: 'python', trackingUri: 'http://127.0.0.1:8080', experiment: 'vs1-client', batch: 100, clients: 2, seconds: 10, warmupSeconds: 20 };
const client = (calls: number, latencies: number[], errors = 0) => ({ calls, points: calls * 100, errors, latencies_ms: latencies });

describe('the client-log-batch row', () => {
  it('runs the driver with the round’s settings', () => {
    expect(driverArgs(options)).toEqual([DRIVER, '--tracking-uri', 'http://127.0.0.1:8080', '--experiment', 'vs1-client', '--batch', '100', '--clients', '2', '--seconds', '10', '--warmup', '20']);
  });

  it('sends our token only where one is given, never an inherited one', () => {
    expect(driverEnv({ token: 'k-1' }, { MLFLOW_TRACKING_TOKEN: 'other', PATH: '/bin' })).toMatchObject({ MLFLOW_TRACKING_TOKEN: 'k-1', PATH: '/bin', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' });
    expect(driverEnv({}, { MLFLOW_TRACKING_TOKEN: 'other' }).MLFLOW_TRACKING_TOKEN).toBeUndefined();
  });

  it('counts points per second over the window and latency over every call of every client', () => {
    const report = { seconds: 10, batch: 100, late_clients: 0, clients: [client(3, [10, 20, 30]), client(1, [40], 2)] };
    expect(summariseDriverReport(JSON.stringify(report))).toEqual({ figure: 40, calls: 4, points: 400, errors: 2, late_clients: 0, p50_ms: 20, p99_ms: 40 });
  });

  it('refuses output that is not the driver’s report, or whose points are not calls × batch', () => {
    expect(() => summariseDriverReport('Traceback (most recent call last):')).toThrow(/printed no JSON/);
    expect(() => summariseDriverReport(JSON.stringify({ seconds: 10, batch: 100, late_clients: 0, clients: [] }))).toThrow();
    const inconsistent = { seconds: 10, batch: 100, late_clients: 0, clients: [{ ...client(3, [1, 2, 3]), points: 250 }] };
    expect(() => summariseDriverReport(JSON.stringify(inconsistent))).toThrow(/calls × batch/);
  });
});
