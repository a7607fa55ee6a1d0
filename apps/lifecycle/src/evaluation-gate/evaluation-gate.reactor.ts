import { Injectable, Logger } from '@nestjs/common';
import { CloudEvent, EVALUATION_RUN_COMPLETED, EvaluationRunCompletedData, Topics } from '@mlops/events';
import { DomainError, EventSourcing, ReactionHandler, ReactorRegistration } from '@mlops/event-sourcing';
import { ModelCommand, modelDecider, modelStreamId } from '../models/model.decider';

/** The checklist item an evaluation gate result checks (passed) or unchecks (failed). */
export const EVALUATION_CHECKLIST_ITEM = 'evaluation_passed';

/** Enough for the reaction to land beside a burst of concurrent changes to the same model. */
const RETRIES = 20;

/**
 * Closes the loop with the Evaluation Harness: when an evaluation run completes, the model
 * version's `evaluation_passed` item follows the run's gate. The command is decided against the
 * current checklist, so a redelivered event (already checked) decides nothing.
 */
@Injectable()
export class EvaluationGateReaction implements ReactionHandler {
  private readonly logger = new Logger('EvaluationGateReaction');

  constructor(private readonly eventSourcing: EventSourcing) {}

  async react(event: CloudEvent): Promise<void> {
    const { run_id, model_name, model_version, gate, completed_at } = event.data as unknown as EvaluationRunCompletedData;
    const actor = `evaluation:${run_id}`;
    const command: ModelCommand = {
      type: 'UpdateModelVersion',
      data: { model_name, version: model_version, actor, now: completed_at, checklist: [{ key: EVALUATION_CHECKLIST_ITEM, checked: gate.passed }] },
    };
    try {
      await this.eventSourcing.commands.handle(
        modelDecider,
        modelStreamId(model_name),
        command,
        { actor, correlationId: event.correlationid, causationId: event.id, now: new Date() },
        { retries: RETRIES },
      );
    } catch (error) {
      // A version this service does not have, or a checklist without the item: nothing to update, ever.
      if (error instanceof DomainError && (error.kind === 'not_found' || error.kind === 'invalid_input')) {
        this.logger.warn(`evaluation run ${run_id}: ${error.message}; ${EVALUATION_CHECKLIST_ITEM} left unchanged`);
        return;
      }
      throw error;
    }
  }
}

export const evaluationGateReactor: ReactorRegistration = {
  name: 'evaluation-gate',
  topic: Topics.evaluation,
  eventTypes: [EVALUATION_RUN_COMPLETED],
  handler: EvaluationGateReaction,
};
