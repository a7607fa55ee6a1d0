import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { RunParamValue, RunStatus } from '@mlops/events';
import { custom, IsInstant, isPlainObject, ListQueryDto, METRIC_KEY, OptionalTags, PageDto } from '@mlops/platform';

const EXPERIMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const STATUSES: RunStatus[] = ['running', 'completed', 'failed', 'killed'];
const MAX_PARAMS = 100;
const MAX_PARAM_VALUE_LENGTH = 6000;

/** `params`: an object of key → string | finite number | boolean, keys like metric keys. */
const IsParamMap = () =>
  custom(
    'isParamMap',
    `must be an object of at most ${MAX_PARAMS} keys (${METRIC_KEY.source}) to strings (≤ ${MAX_PARAM_VALUE_LENGTH} characters), finite numbers or booleans`,
    (value) => {
      if (!isPlainObject(value)) return false;
      const entries = Object.entries(value);
      return (
        entries.length <= MAX_PARAMS &&
        entries.every(
          ([key, v]) =>
            METRIC_KEY.test(key) &&
            ((typeof v === 'string' && v.length <= MAX_PARAM_VALUE_LENGTH) || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean'),
        )
      );
    },
  );

const paramsSchema = {
  type: 'object' as const,
  additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
  example: { learning_rate: 0.01, optimizer: 'adam' },
};

export class StartRunDto {
  @ApiProperty({ example: 'churn-prediction', pattern: EXPERIMENT_NAME.source })
  @IsString()
  @Matches(EXPERIMENT_NAME, { message: 'experiment_name is not a valid experiment name' })
  experiment_name!: string;

  @ApiPropertyOptional({ description: 'Defaults to the run id', maxLength: 256 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  name?: string;

  @ApiPropertyOptional({ ...paramsSchema, description: 'Write-once parameters' })
  @IsOptional()
  @IsParamMap()
  params?: Record<string, RunParamValue>;

  @ApiPropertyOptional({ type: [String], example: ['baseline'] })
  @OptionalTags()
  tags?: string[];

  @ApiPropertyOptional({ format: 'date-time', description: 'Defaults to now' })
  @IsOptional()
  @IsInstant()
  start_time?: string;
}

export class MetricPointDto {
  @ApiProperty({ example: 'val/loss', pattern: METRIC_KEY.source })
  @IsString()
  @Matches(METRIC_KEY, { message: `key must match ${METRIC_KEY.source}` })
  key!: string;

  @ApiProperty({ example: 0.42 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  step?: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'Defaults to the time of the request' })
  @IsOptional()
  @IsInstant()
  timestamp?: string;
}

/** A point from a `{key: value}` map: logged at one past the key's highest step. */
export class NextStepMetricPointDto extends MetricPointDto {}

/** `metrics` as a list of points, or as a `{key: value}` map (one point per key, next step). */
const toMetricPoints = ({ value }: { value: unknown }) => {
  if (Array.isArray(value)) return value.map((point) => (isPlainObject(point) ? plainToInstance(MetricPointDto, point) : point));
  if (isPlainObject(value)) return Object.entries(value).map(([key, v]) => plainToInstance(NextStepMetricPointDto, { key, value: v }));
  return value;
};

export class UpdateRunDto {
  @ApiPropertyOptional({
    oneOf: [
      { type: 'array', items: { $ref: getSchemaPath(MetricPointDto) }, minItems: 1, maxItems: 1000 },
      {
        type: 'object',
        additionalProperties: { type: 'number' },
        minProperties: 1,
        maxProperties: 1000,
        description: 'key → value: one point per key at one past its highest logged step',
        example: { 'val/loss': 0.42 },
      },
    ],
    description: 'Points to log, or a {key: value} map (each at its next step)',
  })
  @IsOptional()
  @Transform(toMetricPoints, { toClassOnly: true })
  @IsArray({ message: 'metrics must be a list of points or an object of key → number' })
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  metrics?: MetricPointDto[];

  @ApiPropertyOptional({ ...paramsSchema, description: 'Write-once: the same value again is a no-op, another value 409' })
  @IsOptional()
  @IsParamMap()
  params?: Record<string, RunParamValue>;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the tags' })
  @OptionalTags()
  tags?: string[];

  @ApiPropertyOptional({ enum: STATUSES, description: 'running → completed | failed | killed' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: RunStatus;

  @ApiPropertyOptional({ format: 'date-time', description: 'With an ending status; defaults to the time of the request' })
  @IsOptional()
  @IsInstant()
  end_time?: string;
}

export class ListRunsQueryDto extends ListQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(EXPERIMENT_NAME)
  experiment_name?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: RunStatus;

  @ApiPropertyOptional({
    description:
      'Order the runs of experiment_name by the latest value of this metric (runs that never logged it are left out); not with status',
  })
  @IsOptional()
  @IsString()
  @Matches(METRIC_KEY)
  sort_metric?: string;

  @ApiPropertyOptional({ enum: ['desc', 'asc'], default: 'desc', description: 'With sort_metric: highest first (desc) or lowest first (asc); ties by run id in the same order' })
  @IsOptional()
  @IsIn(['desc', 'asc'])
  order?: 'desc' | 'asc';
}

export class MetricHistoryParamsDto {
  @ApiProperty()
  @IsString()
  @MaxLength(128)
  run_id!: string;

  @ApiProperty({ pattern: METRIC_KEY.source })
  @IsString()
  @Matches(METRIC_KEY, { message: `key must match ${METRIC_KEY.source}` })
  key!: string;
}

export class RunParamDto {
  @ApiProperty() key!: string;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] }) value!: RunParamValue;
}

export class LatestMetricDto {
  @ApiProperty() key!: string;
  @ApiProperty() value!: number;
  @ApiProperty() step!: number;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export class RunDto {
  @ApiProperty({ format: 'uuid' }) run_id!: string;
  @ApiProperty() experiment_name!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: STATUSES }) status!: RunStatus;
  @ApiProperty({ type: [RunParamDto] }) params!: RunParamDto[];
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ format: 'date-time' }) start_time!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) end_time!: string | null;
  @ApiProperty({ type: [LatestMetricDto], description: 'Latest point per key: highest step, then latest timestamp' })
  metrics!: LatestMetricDto[];
  @ApiProperty({ description: 'Stream version; the ETag' }) version!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() created_by!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty() updated_by!: string;
}

export class RunPageDto extends PageDto(RunDto) {}

export class MetricHistoryPointDto {
  @ApiProperty() step!: number;
  @ApiProperty() value!: number;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export class MetricHistoryPageDto extends PageDto(MetricHistoryPointDto) {}
