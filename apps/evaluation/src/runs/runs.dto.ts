import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { ListQueryDto, MODEL_NAME, PageDto } from '@mlops/platform';
import { SCENARIO_NAME } from '../scenarios/scenarios.dto';
import type { GateStatus } from './evaluate';
import type { EvaluationRunStatus } from './run.decider';

export const RUN_STATUSES: EvaluationRunStatus[] = ['queued', 'running', 'completed', 'failed'];

export class QueueRunDto {
  @ApiProperty({ example: 'churn-holdout-2026q4' })
  @IsString()
  @Matches(SCENARIO_NAME)
  scenario_name!: string;

  @ApiPropertyOptional({ description: 'Default: the latest version' })
  @IsOptional()
  @IsInt()
  @Min(1)
  scenario_version?: number;

  @ApiProperty({ example: 'churn-classifier', description: 'A model version registered in the lifecycle service' })
  @IsString()
  @Matches(MODEL_NAME)
  model_name!: string;

  @ApiProperty({ example: 3 })
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  model_version!: number;

  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description:
      'One per case id: `label` and/or `score` (binary, P(positive)) or `probabilities` ({class: p}) for classification, `value` for regression, `text` for text; optional `attributions` ({feature: SHAP value}) for explainability',
    example: [{ id: 'c1', label: 1, score: 0.91, attributions: { tenure: -0.2, plan: 0.4 } }],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000_000)
  predictions!: unknown[];
}

export class RunIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  run_id!: string;
}

export class ReportQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'html'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'html'])
  format: 'json' | 'html' = 'json';
}

export class ListRunsQueryDto extends ListQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(SCENARIO_NAME)
  scenario_name?: string;

  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: EvaluationRunStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(MODEL_NAME)
  model_name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  model_version?: number;
}

export class MetricValueDto {
  @ApiProperty() key!: string;
  @ApiProperty({ type: Number, nullable: true }) value!: number | null;
}

export class ThresholdResultDto {
  @ApiProperty() metric!: string;
  @ApiProperty({ type: Number, nullable: true }) min!: number | null;
  @ApiProperty({ type: Number, nullable: true }) max!: number | null;
  @ApiProperty({ type: Number, nullable: true }) value!: number | null;
  @ApiProperty() passed!: boolean;
}

export class GateDto {
  @ApiProperty({ description: 'Every threshold holds; false when there are none' }) passed!: boolean;
  @ApiProperty({ enum: ['passed', 'failed', 'not_evaluated'], description: 'not_evaluated: the scenario has no thresholds, so the run decides nothing' })
  status!: GateStatus;
  @ApiProperty({ type: [ThresholdResultDto] }) thresholds!: ThresholdResultDto[];
}

export class EvaluationRunDto {
  @ApiProperty({ format: 'uuid' }) run_id!: string;
  @ApiProperty({ enum: RUN_STATUSES }) status!: EvaluationRunStatus;
  @ApiProperty() scenario_name!: string;
  @ApiProperty() scenario_version!: number;
  @ApiProperty() task_type!: string;
  @ApiProperty() model_name!: string;
  @ApiProperty() model_version!: number;
  @ApiProperty() case_count!: number;
  @ApiProperty({ type: [MetricValueDto] }) metrics!: MetricValueDto[];
  @ApiProperty({ type: GateDto, nullable: true }) gate!: GateDto | null;
  @ApiProperty({ type: String, nullable: true }) failure_reason!: string | null;
  @ApiProperty({ format: 'date-time' }) queued_at!: string;
  @ApiProperty() queued_by!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) started_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completed_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) failed_at!: string | null;
  @ApiProperty({ description: 'Link to the report once completed' }) report_url!: string;
}

export class EvaluationRunPageDto extends PageDto(EvaluationRunDto) {}
