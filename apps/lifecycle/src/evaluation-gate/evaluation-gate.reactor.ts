import { Injectable, Logger } from '@nestjs/common';
import { CloudEvent, EVALUATION_RUN_COMPLETED, EvaluationRunCompletedData, Topics } from '@mlops/events';
import { BoundAggregate, DomainError, EventSourcing, InjectAggregate, ReactionHandler, ReactorRegistration } from '@mlops/event-sourcing';
import { modelAggregate } from '../models/model.aggregate';
import { ModelCommand } from '../models/model.decider';

/** The checklist item an evaluation gate result checks (passed) or unchecks (failed). */
export const EVALUATION_CHECKLIST_ITEM = 'evaluation_passed';

/** Enough for the reaction to land beside a burst of concurrent changes to the same model. */
const RETRIES = 20;

/** The latest evaluation result applied per model version: runs are separate streams, so their results may arrive out of order. */
export const EVALUATION_GATE_RESULTS = 'evaluation_gate_results';

interface GateResultDocument {
  _id: string;
  run_id: string;
  completed_at: string;
  passed: boolean;
}

/**
 * Closes the loop with the Evaluation Harness: when an evaluation run completes, the model
 * version's `evaluation_passed` item follows the run's gate. The command is decided against the
 * current checklist, so a redelivered event (already checked) decides nothing; a result older than
 * the one already applied (a run that completed earlier but arrived later) changes nothing.
 */
@Injectable()
export class EvaluationGateReaction implements ReactionHandler {
  private readonly logger = new Logger('EvaluationGateReaction');

  constructor(
    @InjectAggregate(modelAggregate) private readonly models: BoundAggregate<typeof modelAggregate>,
    private readonly eventSourcing: EventSourcing,
  ) {}

  async react(event: CloudEvent): Promise<void> {
    const { run_id, scenario_name, scenario_version, model_name, model_version, gate, completed_at } = event.data as unknown as EvaluationRunCompletedData;
    // A gate without thresholds is not evaluated: it neither checks nor unchecks the item, nor counts as the latest result.
    if (gate.thresholds.length === 0) {
      this.logger.log(`evaluation run ${run_id} (scenario ${scenario_name} v${scenario_version}) has no thresholds; ${EVALUATION_CHECKLIST_ITEM} left unchanged`);
      return;
    }
    // The item's `by`: the run and the scenario (name and version) that decided it.
    const actor = `evaluation:${scenario_name}:v${scenario_version}:${run_id}`;
    const results = this.eventSourcing.db.collection<GateResultDocument>(EVALUATION_GATE_RESULTS);
    const key = `${model_name}|${model_version}`;
    const latest = await results.findOne({ _id: key });
    if (latest && latest.run_id !== run_id && Date.parse(latest.completed_at) > Date.parse(completed_at)) {
      this.logger.log(`evaluation run ${run_id} of ${key} completed before run ${latest.run_id}, whose result stands`);
      return;
    }
    const command: ModelCommand = {
      type: 'UpdateModelVersion',
      data: { model_name, version: model_version, actor, now: completed_at, checklist: [{ key: EVALUATION_CHECKLIST_ITEM, checked: gate.passed }] },
    };
    try {
      // Nothing reads the model back here: no read-your-writes wait.
      await this.models.execute(model_name, command, {
        metadata: { actor, correlationId: event.correlationid, causationId: event.id, now: new Date() },
        retries: RETRIES,
        awaitReadModel: false,
      });
    } catch (error) {
      // A version this service does not have, or a checklist without the item: nothing to update, ever.
      if (error instanceof DomainError && (error.kind === 'not_found' || error.kind === 'invalid_input')) {
        this.logger.warn(`evaluation run ${run_id}: ${error.message}; ${EVALUATION_CHECKLIST_ITEM} left unchanged`);
        return;
      }
      throw error;
    }
    // After the command: a crash in between redelivers the event, and the command is a no-op the second time.
    await results.replaceOne({ _id: key }, { run_id, completed_at, passed: gate.passed }, { upsert: true });
  }
}

export const evaluationGateReactor: ReactorRegistration = {
  name: 'evaluation-gate',
  topic: Topics.evaluation,
  eventTypes: [EVALUATION_RUN_COMPLETED],
  handler: EvaluationGateReaction,
};
