import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, MinLength } from 'class-validator';
import type { DriftSeverity } from '@mlops/events';
import { IntegerFromDigits, IsInstant, ListQueryDto, MODEL_NAME, PageDto } from '@mlops/platform';
import { SEVERITIES } from './drift-event.decider';

const DRIFT_METRIC = /^[a-z0-9_]{1,64}$/;

export class RecordDriftEventDto {
  @ApiProperty({ example: 'churn-classifier', pattern: MODEL_NAME.source })
  @IsString()
  @Matches(MODEL_NAME, { message: 'model_name is not a valid model name' })
  model_name!: string;

  @ApiProperty({ minimum: 1, description: 'Also accepted as a digit string ("3")' })
  @IntegerFromDigits()
  @IsInt()
  @Min(1)
  model_version!: number;

  @ApiProperty({ example: 'tenure_months', maxLength: 250 })
  @IsString()
  @MinLength(1)
  @MaxLength(250)
  feature!: string;

  @ApiProperty({ example: 'psi', pattern: DRIFT_METRIC.source, description: 'psi, ks, js, wasserstein, chi2, …' })
  @IsString()
  @Matches(DRIFT_METRIC, { message: `metric must match ${DRIFT_METRIC.source} (psi, ks, js, wasserstein, chi2, …)` })
  metric!: string;

  @ApiProperty({ example: 0.31 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @ApiProperty({ example: 0.2 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  threshold!: number;

  @ApiProperty({ enum: SEVERITIES, description: 'critical also alerts the live production deployments of the version' })
  @IsIn(SEVERITIES)
  severity!: DriftSeverity;

  @ApiPropertyOptional({ format: 'date-time', description: 'Defaults to now' })
  @IsOptional()
  @IsInstant()
  detected_at?: string;
}

export class ListDriftEventsQueryDto extends ListQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(MODEL_NAME)
  model_name?: string;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: DriftSeverity;

  @ApiPropertyOptional({ format: 'date-time', description: 'detected_at at or after' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'detected_at before' })
  @IsOptional()
  @IsInstant()
  to?: string;
}

export class DriftEventIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

export class DriftEventDto {
  @ApiProperty({ format: 'uuid', description: 'Time-ordered (UUIDv7)' }) drift_event_id!: string;
  @ApiProperty() model_name!: string;
  @ApiProperty() model_version!: number;
  @ApiProperty() feature!: string;
  @ApiProperty() metric!: string;
  @ApiProperty() value!: number;
  @ApiProperty() threshold!: number;
  @ApiProperty({ enum: SEVERITIES }) severity!: DriftSeverity;
  @ApiProperty({ format: 'date-time' }) detected_at!: string;
  @ApiProperty({ format: 'date-time' }) recorded_at!: string;
  @ApiProperty() recorded_by!: string;
  @ApiProperty() version!: number;
}

export class DriftEventPageDto extends PageDto(DriftEventDto) {}
