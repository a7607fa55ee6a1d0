import { Controller, Get, Inject } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { ReadRoute, SERVICE_CONFIG } from '@mlops/platform';
import type { PromptGovernanceConfig } from '../config';
import { PROMPT_GOVERNANCE_API } from '../routes';

export class ReviewPolicyDto {
  @ApiProperty({ description: 'The role a caller needs to approve or reject a version (PROMPT_APPROVER_ROLE)', example: 'prompt-approver' })
  approver_role!: string;
  @ApiProperty({ description: 'The score at or above which an evaluation with no error passes (PROMPT_EVALUATION_PASS_SCORE)', example: 70 })
  evaluation_pass_score!: number;
}

/** What this deployment requires of a review, so clients show review controls to whom they apply. */
@ApiTags('templates')
@Controller(PROMPT_GOVERNANCE_API)
export class ReviewPolicyController {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: PromptGovernanceConfig) {}

  @Get('review-policy')
  @ReadRoute({ summary: 'The review policy: the approver role and the evaluation pass score this deployment requires', ok: ReviewPolicyDto })
  policy(): ReviewPolicyDto {
    return { approver_role: this.config.PROMPT_APPROVER_ROLE, evaluation_pass_score: this.config.PROMPT_EVALUATION_PASS_SCORE };
  }
}
