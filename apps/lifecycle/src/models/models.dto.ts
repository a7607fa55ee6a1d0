import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { ModelStage, RunParamValue } from '@mlops/events';
import { custom, IntegerFromDigits, IntegersFromDigits, isPlainObject, ListQueryDto, METRIC_KEY, MODEL_NAME, OptionalTags, PageDto } from '@mlops/platform';
import { STAGES } from './model.decider';

const CHECKLIST_KEY = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_METRICS = 1000;

/** `metrics`: an object of metric key → finite number (stored as `{key, value}` pairs). */
const IsMetricMap = () =>
  custom(
    'isMetricMap',
    `must be an object of at most ${MAX_METRICS} keys (${METRIC_KEY.source}) to finite numbers`,
    (value) => isPlainObject(value) && Object.keys(value).length <= MAX_METRICS && Object.entries(value).every(([key, v]) => METRIC_KEY.test(key) && typeof v === 'number' && Number.isFinite(v)),
  );

/** A Feature Store dataset id (the services share no code: the pattern is the event contract's). */
const REFERENCE_DATASET = /^[a-z][a-z0-9_-]{0,127}$/;

export class RegisterModelVersionDto {
  @ApiProperty({ example: 'churn-classifier', pattern: MODEL_NAME.source })
  @IsString()
  @Matches(MODEL_NAME, { message: 'model_name must start with a letter or digit and use letters, digits, ., _ or - (max 128)' })
  model_name!: string;

  @ApiProperty({ format: 'uuid', description: 'The run the version was trained in; it must exist' })
  @IsUUID()
  run_id!: string;

  @ApiProperty({ example: 's3://models/churn/42/model.pkl', maxLength: 2048 })
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  artifact_uri!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { auc: 0.91, log_loss: 0.31 },
    description: "Defaults to the run's latest metrics",
  })
  @IsOptional()
  @IsMetricMap()
  metrics?: Record<string, number>;

  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ type: [String], example: ['gbm'] })
  @OptionalTags()
  tags?: string[];

  @ApiPropertyOptional({ enum: ['none', 'staging'], default: 'none', description: 'Production is reached by PATCH, after the checklist' })
  @IsOptional()
  @IsIn(['none', 'staging'])
  stage?: 'none' | 'staging';

  @ApiPropertyOptional({
    example: 'transactions-2026-q3',
    pattern: REFERENCE_DATASET.source,
    description: 'The Feature Store dataset the version was trained on (from its lineage): drift computed against it reaches this version and its live deployments',
  })
  @IsOptional()
  @IsString()
  @Matches(REFERENCE_DATASET, { message: 'reference_dataset must be a Feature Store dataset id' })
  reference_dataset?: string;
}

export class ChecklistItemUpdateDto {
  @ApiProperty({ example: 'bias_review', pattern: CHECKLIST_KEY.source })
  @IsString()
  @Matches(CHECKLIST_KEY, { message: `key must match ${CHECKLIST_KEY.source}` })
  key!: string;

  @ApiProperty()
  @IsBoolean()
  checked!: boolean;
}

export class UpdateModelVersionDto {
  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the tags' })
  @OptionalTags()
  tags?: string[];

  @ApiPropertyOptional({ type: [ChecklistItemUpdateDto], description: 'Items to check or uncheck; applied before a stage change' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => ChecklistItemUpdateDto)
  checklist?: ChecklistItemUpdateDto[];

  @ApiPropertyOptional({
    enum: STAGES,
    description: 'none → staging → production → archived, archived → staging. Production needs every required item checked and archives the previous production version.',
  })
  @IsOptional()
  @IsIn(STAGES)
  stage?: ModelStage;
}

export class ModelVersionParamsDto {
  @ApiProperty({ pattern: MODEL_NAME.source })
  @IsString()
  @Matches(MODEL_NAME, { message: 'model_name is not a valid model name' })
  model_name!: string;

  @ApiProperty({ minimum: 1 })
  @IntegerFromDigits()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  version!: number;
}

export class ModelNameParamsDto {
  @ApiProperty({ pattern: MODEL_NAME.source })
  @IsString()
  @Matches(MODEL_NAME, { message: 'model_name is not a valid model name' })
  model_name!: string;
}

export class CompareModelVersionsDto {
  @ApiProperty({ type: [Number], minItems: 2, maxItems: 50, example: [1, 2], description: 'The first is the baseline; digit strings ("3") are accepted too' })
  @IntegersFromDigits()
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  versions!: number[];

  @ApiPropertyOptional({ type: [String], description: 'Metric keys where higher is better (overrides the default by name)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(METRIC_KEY, { each: true })
  higher_is_better?: string[];

  @ApiPropertyOptional({
    type: [String],
    description: 'Metric keys where lower is better; by default keys ending in loss, error, mae, mse, rmse or latency',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(METRIC_KEY, { each: true })
  lower_is_better?: string[];
}

export class ListModelVersionsQueryDto extends ListQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(MODEL_NAME)
  model_name?: string;

  @ApiPropertyOptional({ enum: STAGES })
  @IsOptional()
  @IsIn(STAGES)
  stage?: ModelStage;
}

export class ModelMetricDto {
  @ApiProperty() key!: string;
  @ApiProperty() value!: number;
}

export class ModelParamDto {
  @ApiProperty() key!: string;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] }) value!: RunParamValue;
}

export class ChecklistItemDto {
  @ApiProperty() key!: string;
  @ApiProperty() required!: boolean;
  @ApiProperty() checked!: boolean;
  @ApiProperty({ type: String, nullable: true }) checked_by!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) checked_at!: string | null;
}

export class ModelVersionDto {
  @ApiProperty() model_name!: string;
  @ApiProperty({ description: 'Version number, auto-incremented per model' }) version!: number;
  @ApiProperty({ format: 'uuid' }) run_id!: string;
  @ApiProperty() artifact_uri!: string;
  @ApiPropertyOptional({ description: 'The Feature Store dataset it was trained on; absent when not named' }) reference_dataset?: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: [ModelMetricDto] }) metrics!: ModelMetricDto[];
  @ApiProperty({ type: [ModelParamDto], description: 'The source run’s params' }) params!: ModelParamDto[];
  @ApiProperty({ type: [ChecklistItemDto] }) checklist!: ChecklistItemDto[];
  @ApiProperty({ enum: STAGES }) stage!: ModelStage;
  @ApiProperty({ format: 'date-time' }) stage_changed_at!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() created_by!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty() updated_by!: string;
}

export class ModelVersionPageDto extends PageDto(ModelVersionDto) {}

class ComparedChecklistDto {
  @ApiProperty() checked!: number;
  @ApiProperty() total!: number;
  @ApiProperty({ description: 'Every required item is checked' }) complete!: boolean;
  @ApiProperty({ type: [String] }) required_unchecked!: string[];
}

class ComparedVersionDto {
  @ApiProperty() version!: number;
  @ApiProperty({ enum: STAGES }) stage!: ModelStage;
  @ApiProperty() run_id!: string;
  @ApiProperty({ type: ComparedChecklistDto }) checklist!: ComparedChecklistDto;
}

class ComparedValueDto {
  @ApiProperty() version!: number;
  @ApiProperty({ type: Number, nullable: true }) value!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'value − baseline value' }) delta!: number | null;
}

class ComparedMetricDto {
  @ApiProperty() key!: string;
  @ApiProperty() higher_is_better!: boolean;
  @ApiProperty() best_version!: number;
  @ApiProperty({ type: [ComparedValueDto] }) values!: ComparedValueDto[];
}

class ParamValueDto {
  @ApiProperty() version!: number;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }], nullable: true }) value!: RunParamValue | null;
}

class ParamDiffDto {
  @ApiProperty() key!: string;
  @ApiProperty({ type: [ParamValueDto] }) values!: ParamValueDto[];
}

export class ComparisonDto {
  @ApiProperty() model_name!: string;
  @ApiProperty() baseline_version!: number;
  @ApiProperty({ type: [ComparedVersionDto] }) versions!: ComparedVersionDto[];
  @ApiProperty({ type: [ComparedMetricDto] }) metrics!: ComparedMetricDto[];
  @ApiProperty({ type: [ParamDiffDto], description: 'Only params whose values differ' }) params_diff!: ParamDiffDto[];
}
