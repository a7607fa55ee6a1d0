import type { Request, Response } from 'express';
import { problem, sendProblem } from '@mlops/platform';

/** The MLflow REST API (tracking, UI's ajax API, artifacts): its clients read `{"error_code", "message"}`. */
const MLFLOW_PATH = /^\/(ajax-)?api\/2\.0\/mlflow/;

export const isMlflowPath = (path: string) => MLFLOW_PATH.test(path);

/** MLflow's codes (mlflow/protos/databricks.proto) for the statuses the gateway itself answers. */
const MLFLOW_CODES: Record<number, string> = {
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  429: 'RESOURCE_EXHAUSTED',
  503: 'TEMPORARILY_UNAVAILABLE',
};

/** A refusal by the gateway (auth, rate limit) in the shape the caller's API uses: MLflow's, else problem+json. */
export function refuse(req: Request, res: Response, status: number, message: string): void {
  if (isMlflowPath(req.path)) {
    res.status(status).json({ error_code: MLFLOW_CODES[status] ?? 'INTERNAL_ERROR', message });
    return;
  }
  sendProblem(res, problem(status, message), req);
}
