import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ListQueryDto, OptionalTags, PageDto } from '@mlops/platform';
import type { ExperimentStatus } from './experiment.decider';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const STATUSES: ExperimentStatus[] = ['active', 'archived'];

export class CreateExperimentDto {
  @ApiProperty({ example: 'churn-prediction', pattern: NAME.source })
  @IsString()
  @Matches(NAME, { message: 'name must start with a letter or digit and use letters, digits, ., _ or - (max 128)' })
  name!: string;

  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ description: 'Defaults to the caller' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  owner?: string;

  @ApiPropertyOptional({ type: [String], example: ['tabular'] })
  @OptionalTags()
  tags?: string[];
}

export class UpdateExperimentDto {
  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ type: [String] })
  @OptionalTags()
  tags?: string[];

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: ExperimentStatus;
}

export class ListExperimentsQueryDto extends ListQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(256)
  owner?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: ExperimentStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  tag?: string;
}

export class ExperimentDto {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() owner!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ enum: STATUSES }) status!: ExperimentStatus;
  @ApiProperty({ description: 'Stream version; the ETag' }) version!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() created_by!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty() updated_by!: string;
}

export class ExperimentDetailQueryDto {
  @ApiPropertyOptional({ description: 'Metric key that picks best_run (by each run’s latest value)', example: 'val/auc' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.\-/ ]{1,250}$/, { message: 'metric must be a metric key' })
  metric?: string;

  @ApiPropertyOptional({ enum: ['max', 'min'], default: 'max' })
  @IsOptional()
  @IsIn(['max', 'min'])
  mode: 'max' | 'min' = 'max';
}

export class RunCountsDto {
  @ApiProperty() running!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() killed!: number;
  @ApiProperty() total!: number;
}

export class BestRunDto {
  @ApiProperty({ format: 'uuid' }) run_id!: string;
  @ApiProperty() value!: number;
}

export class ExperimentDetailDto extends ExperimentDto {
  @ApiProperty({ type: RunCountsDto }) run_counts!: RunCountsDto;
  @ApiPropertyOptional({ type: BestRunDto, nullable: true, description: 'With ?metric=: null when no run has logged it' })
  best_run?: BestRunDto | null;
}

export class ExperimentPageDto extends PageDto(ExperimentDto) {}
