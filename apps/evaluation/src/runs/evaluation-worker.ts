import { Inject, Injectable } from '@nestjs/common';
import { CloudEvent, EvaluationRunQueuedData, Topics } from '@mlops/events';
import { BoundAggregate, EventSourcing, InjectAggregate, PayloadNotFoundError, ReactionHandler, ReactorRegistration } from '@mlops/event-sourcing';
import { SERVICE_CONFIG } from '@mlops/platform';
import { EvaluationConfig } from '../config';
import { CasesPayload } from '../scenarios/scenario-cases';
import { scenarioAggregate } from '../scenarios/scenario.aggregate';
import { findScenarioVersion } from '../scenarios/scenario.decider';
import { evaluate, EvaluationFailure } from './evaluate';
import { PredictionsPayload } from './predictions';
import { evaluationRunAggregate } from './evaluation-run.aggregate';
import { EvaluationRunCommand, evaluationRunDecider, runStreamId } from './run.decider';

export const WORKER_ACTOR = 'evaluation-worker';

/**
 * Moves queued runs to running, then completed (metrics, gate, report) or failed (the reason) —
 * driven by the run's own `run.queued` event, never by the HTTP request. Redelivery is harmless:
 * a run that already finished decides nothing.
 */
@Injectable()
export class EvaluationWorker implements ReactionHandler {
  constructor(
    @InjectAggregate(evaluationRunAggregate) private readonly runs: BoundAggregate<typeof evaluationRunAggregate>,
    @InjectAggregate(scenarioAggregate) private readonly scenarios: BoundAggregate<typeof scenarioAggregate>,
    private readonly eventSourcing: EventSourcing,
    @Inject(SERVICE_CONFIG) private readonly config: EvaluationConfig,
  ) {}

  async react(event: CloudEvent): Promise<void> {
    const queued = event.data as unknown as EvaluationRunQueuedData;
    const streamId = runStreamId(queued.run_id);
    // Caused by the queued event; nothing waits for the read model here.
    const command = (cmd: EvaluationRunCommand) =>
      this.eventSourcing.commands.handle(evaluationRunDecider, streamId, cmd, {
        actor: WORKER_ACTOR,
        correlationId: event.correlationid,
        causationId: event.id,
        now: new Date(),
      });
    const { state } = await this.runs.load(queued.run_id);
    if (state.status === 'completed' || state.status === 'failed') return;
    if (state.status === 'queued') await command({ type: 'StartRun', data: { run_id: queued.run_id, started_at: new Date().toISOString() } });

    let outcome: { report: Awaited<ReturnType<typeof evaluate>> } | { reason: string };
    try {
      const { state: scenario } = await this.scenarios.load(queued.scenario_name);
      const version = findScenarioVersion(scenario, queued.scenario_version);
      if (!version) throw new EvaluationFailure(`scenario ${queued.scenario_name} has no version ${queued.scenario_version}`);
      const [cases, predictions] = await Promise.all([
        this.eventSourcing.payloads.get<CasesPayload>(queued.cases.sha256),
        this.eventSourcing.payloads.get<PredictionsPayload>(queued.predictions.sha256),
      ]);
      outcome = {
        report: evaluate({ task: queued.task_type, definition: version.definition, cases, predictions, errorAnalysisLimit: this.config.EVALUATION_ERROR_ANALYSIS_LIMIT }),
      };
    } catch (error) {
      // Only what retrying cannot fix fails the run; anything else (the store unreachable) is retried.
      if (!(error instanceof EvaluationFailure || error instanceof PayloadNotFoundError)) throw error;
      outcome = { reason: error.message };
    }
    const now = new Date().toISOString();
    if ('reason' in outcome) {
      await command({ type: 'FailRun', data: { run_id: queued.run_id, reason: outcome.reason, failed_at: now } });
      return;
    }
    const { report } = outcome;
    const ref = await this.eventSourcing.payloads.put(report);
    await command({
      type: 'CompleteRun',
      data: {
        run_id: queued.run_id,
        case_count: report.case_count,
        metrics: report.metrics.map(({ key, value }) => ({ key, value })),
        gate: report.gate,
        report: ref,
        completed_at: now,
      },
    });
  }
}

export const evaluationWorkerReactor: ReactorRegistration = {
  name: 'evaluation-worker',
  topic: Topics.evaluation,
  eventTypes: ['mlops.evaluation.run.queued.v1'],
  partitionsConsumedConcurrently: 3,
  handler: EvaluationWorker,
};
