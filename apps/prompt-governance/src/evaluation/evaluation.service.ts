import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { BoundAggregate, CommandResult, InjectAggregate, invalidInput, notFound } from '@mlops/event-sourcing';
import { commandMetadata, SERVICE_CONFIG } from '@mlops/platform';
import { PromptGovernanceConfig } from '../config';
import { templateAggregate } from '../templates/template.aggregate';
import { EvaluationView, TemplateDocument } from '../templates/templates.projection';
import { assertionProblem } from '@mlops/assertions';
import { EvaluateDto } from './evaluation.dto';
import { evaluateTemplate } from './evaluate';

/** The evaluation as recorded (a later evaluation of the same version may already show in the read model). */
export type EvaluationCommandResult = CommandResult<TemplateDocument> & { evaluation: EvaluationView & { template_id: string; version: number } };

@Injectable()
export class EvaluationService {
  constructor(
    @InjectAggregate(templateAggregate) private readonly templates: BoundAggregate<typeof templateAggregate>,
    @Inject(SERVICE_CONFIG) private readonly config: PromptGovernanceConfig,
  ) {}

  /** Evaluates a version (pure checks) and records the result as an event on the template's stream. */
  async evaluate(dto: EvaluateDto): Promise<EvaluationCommandResult> {
    const testCases = dto.test_cases ?? [];
    const problems = testCases.flatMap((testCase, i) =>
      testCase.assertions.flatMap((assertion, j) => {
        const problem = assertionProblem(assertion);
        return problem ? [{ field: `test_cases.${i}.assertions.${j}`, message: problem }] : [];
      }),
    );
    if (problems.length) throw invalidInput('Some assertions cannot be run', problems);

    // Versions never change once written, so the read model's copy of the template is the one to check.
    const doc = await this.templates.find(dto.template_id);
    const view = doc?.versions.find((v) => v.version === dto.version);
    if (!view) throw notFound(`Template ${dto.template_id} has no version ${dto.version}`);
    const result = evaluateTemplate(view.template, view.declared_variables, testCases, {
      banned_terms: this.config.PROMPT_BANNED_TERMS,
      max_tokens: this.config.PROMPT_MAX_TOKENS,
      pass_score: this.config.PROMPT_EVALUATION_PASS_SCORE,
    });

    const metadata = commandMetadata();
    const evaluationId = randomUUID();
    const recorded = await this.templates.execute(
      dto.template_id,
      { type: 'RecordEvaluation', data: { template_id: dto.template_id, version: dto.version, evaluation_id: evaluationId, ...result, actor: metadata.actor } },
      { metadata, retries: 10 },
    );
    const evaluation = {
      template_id: dto.template_id,
      version: dto.version,
      evaluation_id: evaluationId,
      ...result,
      evaluated_at: metadata.now.toISOString(),
      evaluated_by: metadata.actor,
    };
    return { version: recorded.version, doc: recorded.doc, evaluation };
  }
}
