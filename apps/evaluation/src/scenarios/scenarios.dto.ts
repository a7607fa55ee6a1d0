import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { EVALUATION_TASK_TYPES, EvaluationTaskType, ScenarioLabel } from '@mlops/events';
import { custom, isPlainObject, ListQueryDto, OptionalTags, PageDto } from '@mlops/platform';

export const SCENARIO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const METRIC_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const COLUMN = /^[^\s"][^"]{0,255}$/;

const isLabel = (v: unknown) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const isBound = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));

/** `{"f1": {"min": 0.8}, "rmse": {"max": 3.2}}`. */
const IsThresholdMap = () =>
  custom('isThresholdMap', 'must be an object of metric name to {min?, max?} with finite numbers', (value) => {
    if (!isPlainObject(value)) return false;
    const entries = Object.entries(value);
    return entries.length <= 64 && entries.every(([metric, bounds]) => {
      if (!METRIC_NAME.test(metric) || !isPlainObject(bounds)) return false;
      const keys = Object.keys(bounds);
      return keys.length > 0 && keys.every((k) => k === 'min' || k === 'max') && isBound(bounds.min) && isBound(bounds.max);
    });
  });

const IsLabel = () => custom('isLabel', 'must be a string, finite number or boolean', isLabel);
const IsLabelList = () => custom('isLabelList', 'must be an array of at most 1000 distinct strings, numbers or booleans', (v) => Array.isArray(v) && v.length <= 1000 && v.every(isLabel) && new Set(v.map((x) => `${typeof x}:${x}`)).size === v.length);

/** `[{type, value?, threshold?}]`; the types and values are checked by the scenario's rules. */
const IsAssertionList = () =>
  custom('isAssertionList', 'must be an array of at most 32 {type, value?, threshold?}', (v) =>
    Array.isArray(v) && v.length <= 32 && v.every((a) => isPlainObject(a) && typeof a.type === 'string' && Object.keys(a).every((k) => ['type', 'value', 'threshold'].includes(k))));

export class DatasetCasesDto {
  @ApiProperty({ example: 'churn-holdout', description: 'A Feature Store dataset id' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_-]{0,127}$/)
  dataset_id!: string;

  @ApiProperty({ example: 'churned', description: 'Column with the expected value' })
  @IsString()
  @Matches(COLUMN)
  label_column!: string;

  @ApiPropertyOptional({ example: 'customer_id', description: 'Column with the case id; default: the 0-based row number' })
  @IsOptional()
  @IsString()
  @Matches(COLUMN)
  id_column?: string;

  @ApiPropertyOptional({ type: [String], description: 'Columns shown as the case input in error analysis' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @ArrayUnique()
  @Matches(COLUMN, { each: true })
  input_columns?: string[];

  @ApiPropertyOptional({ type: [String], example: ['country'], description: 'Columns to slice the metrics by' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @ArrayUnique()
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { each: true })
  slice_columns?: string[];
}

class ScenarioFieldsDto {
  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ type: [String] })
  @OptionalTags()
  tags?: string[];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object' },
    description: 'Inline cases `[{id, input, expected, slices: {country: "DE"}, assertions?}]`, up to EVALUATION_MAX_CASES (100,000); or give `dataset`',
    example: [{ id: 'c1', input: { tenure: 3 }, expected: 1, slices: { country: 'DE' } }],
  })
  @IsOptional()
  @IsArray()
  cases?: unknown[];

  @ApiPropertyOptional({ type: DatasetCasesDto, description: 'A registered Feature Store dataset instead of inline cases' })
  @IsOptional()
  @ValidateNested()
  @Type(() => DatasetCasesDto)
  dataset?: DatasetCasesDto;

  @ApiPropertyOptional({ type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] }, description: 'Classification: classes beyond those the cases expect' })
  @IsOptional()
  @IsLabelList()
  labels?: ScenarioLabel[];

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }], description: 'Binary: the positive class (default: the greater label, e.g. 1, true, "yes")' })
  @IsOptional()
  @IsLabel()
  positive_label?: ScenarioLabel;

  @ApiPropertyOptional({ type: [String], example: ['accuracy', 'f1', 'roc_auc'], description: 'Default: the task type’s standard set' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @ArrayUnique()
  @Matches(METRIC_NAME, { each: true })
  metrics?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'object', properties: { min: { type: 'number' }, max: { type: 'number' } } }, example: { f1: { min: 0.8 } }, description: 'The pass/fail gate' })
  @IsOptional()
  @IsThresholdMap()
  thresholds?: Record<string, { min?: number; max?: number }>;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, example: [{ type: 'icontains', value: 'refund' }, { type: 'not-contains', value: 'password' }], description: 'Text: promptfoo-style assertions for every case' })
  @IsOptional()
  @IsAssertionList()
  assertions?: { type: string; value?: string; threshold?: number }[];
}

export class CreateScenarioDto extends ScenarioFieldsDto {
  @ApiProperty({ example: 'churn-holdout-2026q4', pattern: SCENARIO_NAME.source })
  @IsString()
  @Matches(SCENARIO_NAME, { message: 'name must start with a letter or digit and use letters, digits, ., _ or - (max 128)' })
  name!: string;

  @ApiProperty({ enum: EVALUATION_TASK_TYPES })
  @IsIn(EVALUATION_TASK_TYPES)
  task_type!: EvaluationTaskType;
}

/** Any change makes a new scenario version; the task type never changes. */
export class UpdateScenarioDto extends ScenarioFieldsDto {}

export class ScenarioNameParamsDto {
  @ApiProperty({ pattern: SCENARIO_NAME.source })
  @IsString()
  @Matches(SCENARIO_NAME, { message: 'name is not a valid scenario name' })
  name!: string;
}

export class ListScenariosQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: EVALUATION_TASK_TYPES })
  @IsOptional()
  @IsIn(EVALUATION_TASK_TYPES)
  task_type?: EvaluationTaskType;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  tag?: string;
}

export class ThresholdDto {
  @ApiProperty() metric!: string;
  @ApiProperty({ type: Number, nullable: true }) min!: number | null;
  @ApiProperty({ type: Number, nullable: true }) max!: number | null;
}

export class ScenarioVersionSummaryDto {
  @ApiProperty() version!: number;
  @ApiProperty({ type: [String], description: 'Fields that changed from the previous version' }) changed!: string[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() created_by!: string;
}

export class ScenarioDto {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: EVALUATION_TASK_TYPES }) task_type!: EvaluationTaskType;
  @ApiProperty({ description: 'The latest scenario version (also the ETag)' }) version!: number;
  @ApiProperty() description!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: 'object', description: 'inline: payload sha256, case_count, slice_keys; dataset: dataset_id, columns and the dataset as this version saw it', additionalProperties: true }) cases!: Record<string, unknown>;
  @ApiProperty({ type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } }) labels!: ScenarioLabel[];
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }], nullable: true }) positive_label!: ScenarioLabel | null;
  @ApiProperty({ type: [String] }) metrics!: string[];
  @ApiProperty({ type: [ThresholdDto] }) thresholds!: ThresholdDto[];
  @ApiProperty({ type: 'array', items: { type: 'object' } }) assertions!: unknown[];
  @ApiProperty({ type: [ScenarioVersionSummaryDto] }) versions!: ScenarioVersionSummaryDto[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() created_by!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty() updated_by!: string;
}

export class ScenarioPageDto extends PageDto(ScenarioDto) {}

/** One scenario version's definition, as its runs were evaluated against it. */
export class ScenarioVersionDto extends OmitType(ScenarioDto, ['versions', 'updated_at', 'updated_by'] as const) {
  @ApiProperty({ description: 'This version (the ETag is the latest)' }) declare version: number;
  @ApiProperty({ type: [String], description: 'Fields that changed from the previous version' }) changed!: string[];
}
