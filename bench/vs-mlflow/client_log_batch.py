"""The real mlflow client's log_batch against one tracking server, for bench/vs-mlflow.

Each of --clients processes creates its own run in the experiment --experiment (created when
missing) and calls MlflowClient.log_batch with --batch metrics (keys alternating, steps increasing)
one call after another for --seconds; a call that raises is counted as an error and not as points.
Prints one JSON object on stdout: the calls, points and errors of every client, the latency of
every successful call in ms, and how many clients were not ready when the clock started (a
--warmup too short for the machine). MLFLOW_TRACKING_TOKEN is sent as Bearer when set.
"""

import argparse
import json
import multiprocessing
import sys
import time


def drive(tracking_uri, experiment_id, batch, seconds, index, start_at):
    from mlflow import MlflowClient
    from mlflow.entities import Metric

    client = MlflowClient(tracking_uri=tracking_uri)
    run_id = client.create_run(experiment_id, run_name=f"client-log-batch-{index}").info.run_id
    keys = ("accuracy", "loss")
    latencies, errors, step = [], 0, 0
    # Every client starts its clock at the same moment, after all have created their runs.
    late = time.time() > start_at
    while time.time() < start_at:
        time.sleep(0.005)
    deadline = start_at + seconds
    while time.time() < deadline:
        now = int(time.time() * 1000)
        metrics = [Metric(keys[i % 2], float(i % 97) / 97, now, step + i) for i in range(batch)]
        started = time.perf_counter()
        try:
            client.log_batch(run_id, metrics=metrics, synchronous=True)
        except Exception as error:  # noqa: BLE001 - a failed call is a figure, not a crash
            errors += 1
            print(f"client {index}: {error}", file=sys.stderr)
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        step += batch
    return {"calls": len(latencies), "points": len(latencies) * batch, "errors": errors, "latencies_ms": latencies, "late": late}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracking-uri", required=True)
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--warmup", type=float, default=15, help="seconds for every process to import mlflow and create its run")
    args = parser.parse_args()

    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=args.tracking_uri)
    experiment = client.get_experiment_by_name(args.experiment)
    experiment_id = experiment.experiment_id if experiment else client.create_experiment(args.experiment)
    start_at = time.time() + args.warmup
    with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
        results = pool.starmap(drive, [(args.tracking_uri, experiment_id, args.batch, args.seconds, i, start_at) for i in range(args.clients)])
    late = sum(1 for result in results if result.pop("late"))
    json.dump({"seconds": args.seconds, "batch": args.batch, "late_clients": late, "clients": results}, sys.stdout)


if __name__ == "__main__":
    main()
