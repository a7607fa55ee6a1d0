import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { AcceptedDto, CommandRoute, updatedReply } from '@mlops/platform';
import { PROMPT_GOVERNANCE_API } from '../routes';
import { EvaluationDto } from './evaluation-result.dto';
import { templateLocation } from '../templates/templates.presenter';
import { EvaluateDto } from './evaluation.dto';
import { EvaluationService } from './evaluation.service';

class EvaluationResultDto extends EvaluationDto {
  @ApiProperty() template_id!: string;
  @ApiProperty() version!: number;
}

@ApiTags('evaluation')
@Controller(PROMPT_GOVERNANCE_API)
export class EvaluationController {
  constructor(private readonly evaluations: EvaluationService) {}

  @Post('evaluate')
  @HttpCode(200)
  @CommandRoute({
    summary: 'Evaluate a template version: variables, size, banned terms, PII, injection phrases, test cases → score and findings',
    description: 'Deterministic checks; the score is 100 − 25 per error − 10 per warning (at least 0); it passes with no error and at least PROMPT_EVALUATION_PASS_SCORE. The result is recorded on the template’s stream and shown on the version.',
    ok: { type: EvaluationResultDto, description: 'ETag: the template’s stream version' },
    accepted: AcceptedDto,
    badRequest: 'Invalid input, or an assertion that cannot run (unknown type, bad regex)',
    notFound: 'No such template or version',
  })
  async evaluate(@Body() dto: EvaluateDto) {
    const result = await this.evaluations.evaluate(dto);
    return updatedReply(result, templateLocation(dto.template_id), (): EvaluationResultDto => result.evaluation);
  }
}
