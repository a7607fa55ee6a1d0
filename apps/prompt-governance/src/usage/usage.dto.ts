import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validate,
  ValidateNested,
  ValidationError,
} from 'class-validator';
import type { UsageOutcome } from '@mlops/events';
import { ListQueryDto, ValidationProblem } from '@mlops/platform';
import { MAX_BATCH } from './usage.decider';

export const ENVIRONMENT = /^[a-z][a-z0-9_-]{0,31}$/;
/** Visible ASCII only: with the other bounds, a batch of 1,000 records stays under 400 KB as one event. */
export const CALLER = /^[\x21-\x7E]{1,128}$/;
const MAX_NUMBER = 1e12;

export class UsageRecordDto {
  @ApiProperty({ example: 'support-bot', pattern: CALLER.source, description: 'The application or user that called the model (visible ASCII, at most 128)' })
  @IsString()
  @Matches(CALLER, { message: 'caller must be 1-128 visible ASCII characters' })
  caller!: string;

  @ApiProperty({ example: 'production', pattern: ENVIRONMENT.source, description: 'production needs an approved version' })
  @IsString()
  @Matches(ENVIRONMENT, { message: 'environment must be lowercase letters, digits, _ or -, starting with a letter (max 32)' })
  environment!: string;

  @ApiProperty({ minimum: 0 })
  @IsInt()
  @Min(0)
  @Max(MAX_NUMBER)
  input_tokens!: number;

  @ApiProperty({ minimum: 0 })
  @IsInt()
  @Min(0)
  @Max(MAX_NUMBER)
  output_tokens!: number;

  @ApiProperty({ minimum: 0 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_NUMBER)
  latency_ms!: number;

  @ApiProperty({ minimum: 0, description: 'In the caller’s currency' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_NUMBER)
  cost!: number;

  @ApiProperty({ enum: ['success', 'error'] })
  @IsIn(['success', 'error'])
  outcome!: UsageOutcome;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the call happened (default: when it is logged)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  timestamp?: string;
}

export class UsageBatchDto {
  @ApiProperty({ type: [UsageRecordDto], minItems: 1, maxItems: MAX_BATCH })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH)
  @ValidateNested({ each: true })
  @Type(() => UsageRecordDto)
  records!: UsageRecordDto[];
}

function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    return [...Object.values(error.constraints ?? {}).map((message) => ({ field, message })), ...flatten(error.children ?? [], field)];
  });
}

/** The body is one record or `{records: [...]}` (1–1,000); either way the same rules, unknown fields rejected. */
export async function parseUsageBody(body: unknown): Promise<UsageRecordDto[]> {
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  if (!isObject) throw new ValidationProblem([{ field: '(body)', message: 'send one usage record or {records: [...]}' }]);
  const batch = 'records' in body ? body : { records: [body] };
  const dto = plainToInstance(UsageBatchDto, batch);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, validationError: { target: false, value: false } });
  if (errors.length) {
    const problems = flatten(errors);
    // A single record's fields are reported without the records.0 prefix it was wrapped in.
    throw new ValidationProblem('records' in body ? problems : problems.map((p) => ({ ...p, field: p.field.replace(/^records\.0\.?/, '') || '(body)' })));
  }
  return dto.records;
}

export class UsageQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ pattern: ENVIRONMENT.source })
  @IsOptional()
  @Matches(ENVIRONMENT)
  environment?: string;

  @ApiPropertyOptional({ pattern: CALLER.source })
  @IsOptional()
  @IsString()
  @Matches(CALLER)
  caller?: string;

  @ApiPropertyOptional({ enum: ['success', 'error'] })
  @IsOptional()
  @IsIn(['success', 'error'])
  outcome?: UsageOutcome;

  @ApiPropertyOptional({ format: 'date-time', description: 'Records at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Records before this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

// Responses

export class UsageLoggedDto {
  @ApiProperty() template_id!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ format: 'uuid' }) batch_id!: string;
  @ApiProperty() count!: number;
  @ApiProperty() error_count!: number;
  @ApiProperty() input_tokens!: number;
  @ApiProperty() output_tokens!: number;
  @ApiProperty() cost!: number;
  @ApiProperty({ format: 'date-time' }) logged_at!: string;
}

export class UsageLogItemDto {
  @ApiProperty({ format: 'uuid' }) batch_id!: string;
  @ApiProperty() caller!: string;
  @ApiProperty() environment!: string;
  @ApiProperty() input_tokens!: number;
  @ApiProperty() output_tokens!: number;
  @ApiProperty() latency_ms!: number;
  @ApiProperty() cost!: number;
  @ApiProperty({ enum: ['success', 'error'] }) outcome!: UsageOutcome;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

class UsageTotalsDto {
  @ApiProperty() count!: number;
  @ApiProperty() error_count!: number;
  @ApiProperty({ description: 'error_count / count (0 without usage)' }) error_rate!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Nearest-rank 50th percentile' }) latency_p50_ms!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Nearest-rank 95th percentile' }) latency_p95_ms!: number | null;
  @ApiProperty() input_tokens!: number;
  @ApiProperty() output_tokens!: number;
  @ApiProperty() total_tokens!: number;
  @ApiProperty() cost!: number;
}

class UsageDayDto extends UsageTotalsDto {
  @ApiProperty({ example: '2026-01-02', description: 'UTC day' }) day!: string;
}

class UsageAggregatesDto extends UsageTotalsDto {
  @ApiProperty({ type: [UsageDayDto] }) per_day!: UsageDayDto[];
}

export class UsagePageDto {
  @ApiProperty() template_id!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ type: [UsageLogItemDto], description: 'The log, by time' }) items!: UsageLogItemDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
  @ApiProperty({ type: UsageAggregatesDto, description: 'Over every record matching the filters, not just this page' }) aggregates!: UsageAggregatesDto;
}
