/**
 * The `client-log-batch` row: the real mlflow client's `MlflowClient.log_batch`, from several
 * client processes (client_log_batch.py), against our gateway's MLflow facade and against
 * `mlflow server` alike — the same Python code, only the tracking URI differs.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';
import { percentile, round } from './load';

export const DRIVER = join(__dirname, 'client_log_batch.py');

export interface ClientLogBatchOptions {
  python: string;
  trackingUri: string;
  /** Created by the driver when missing. */
  experiment: string;
  batch: number;
  clients: number;
  seconds: number;
  warmupSeconds: number;
  /** Sent by the client as `Authorization: Bearer` (our gateway's API key, when it wants one). */
  token?: string;
}

export function driverArgs(o: ClientLogBatchOptions): string[] {
  return [
    DRIVER,
    '--tracking-uri',
    o.trackingUri,
    '--experiment',
    o.experiment,
    '--batch',
    String(o.batch),
    '--clients',
    String(o.clients),
    '--seconds',
    String(o.seconds),
    '--warmup',
    String(o.warmupSeconds),
  ];
}

/** What the driver's environment adds: the token when there is one, nothing that phones out, no retries hiding failures. */
export function driverEnv(o: Pick<ClientLogBatchOptions, 'token'>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { MLFLOW_TRACKING_TOKEN: _inherited, ...rest } = base;
  return {
    ...rest,
    ...(o.token ? { MLFLOW_TRACKING_TOKEN: o.token } : {}),
    MLFLOW_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: 'true',
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

const DriverReport = z.object({
  seconds: z.number().positive(),
  batch: z.number().int().positive(),
  late_clients: z.number().int().min(0),
  clients: z
    .array(z.object({ calls: z.number().int().min(0), points: z.number().int().min(0), errors: z.number().int().min(0), latencies_ms: z.array(z.number().min(0)) }))
    .min(1),
});
export type DriverReport = z.infer<typeof DriverReport>;

/** The round's figures from the driver's stdout: points/s over the window, latency percentiles over every call. */
export function summariseDriverReport(stdout: string) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(`client_log_batch.py printed no JSON: ${stdout.slice(0, 300)}`);
  }
  const report = DriverReport.parse(parsed);
  const points = report.clients.reduce((sum, c) => sum + c.points, 0);
  const calls = report.clients.reduce((sum, c) => sum + c.calls, 0);
  const errors = report.clients.reduce((sum, c) => sum + c.errors, 0);
  const latencies = report.clients.flatMap((c) => c.latencies_ms);
  if (report.clients.some((c) => c.points !== c.calls * report.batch)) throw new Error('client_log_batch.py: points are not calls × batch');
  return {
    figure: round(points / report.seconds, 0),
    calls,
    points,
    errors,
    late_clients: report.late_clients,
    p50_ms: latencies.length ? round(percentile(latencies, 50)) : null,
    p99_ms: latencies.length ? round(percentile(latencies, 99)) : null,
  };
}

/** Runs the driver once and summarises it; a driver that fails fails the round. */
export function runClientLogBatch(o: ClientLogBatchOptions): Promise<ReturnType<typeof summariseDriverReport>> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.python, driverArgs(o), { env: driverEnv(o), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`client_log_batch.py exited with ${code}: ${stderr.slice(-2000)}`));
      try {
        resolve(summariseDriverReport(stdout));
      } catch (error) {
        reject(error);
      }
    });
  });
}
