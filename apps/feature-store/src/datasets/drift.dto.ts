import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import type { DriftColumnKind, DriftMethod } from '@mlops/events';
import { DATASET_ID } from './datasets.dto';
import { DEFAULT_DRIFT_SHARE, DRIFT_METHODS } from './drift-report';

export class DriftColumnRequestDto {
  @ApiProperty({ example: 'amount' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  column!: string;

  @ApiPropertyOptional({
    enum: DRIFT_METHODS,
    description: "Evidently's stattest; by default ks / chisquare / z with ≤ 1,000 non-null reference rows, wasserstein / jensenshannon above",
  })
  @IsOptional()
  @IsIn(DRIFT_METHODS)
  method?: DriftMethod;

  @ApiPropertyOptional({ description: 'p-value methods drift below it (0.05 by default), distances at or above it (0.1 by default)', minimum: 0 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  threshold?: number;
}

export class ComputeDriftDto {
  @ApiProperty({ example: 'transactions-2026-q3', pattern: DATASET_ID.source, description: 'The registered dataset the data is compared against (typically the training data)' })
  @IsString()
  @Matches(DATASET_ID, { message: 'reference_dataset is not a valid dataset id' })
  reference_dataset!: string;

  @ApiPropertyOptional({ type: [DriftColumnRequestDto], description: 'Columns to compare, each with an optional method and threshold; by default every numeric, text or boolean column both datasets have' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4096)
  @ValidateNested({ each: true })
  @Type(() => DriftColumnRequestDto)
  columns?: DriftColumnRequestDto[];

  @ApiPropertyOptional({ default: DEFAULT_DRIFT_SHARE, description: 'The dataset drifts when at least this share of its columns drift', exclusiveMinimum: true, minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(Number.MIN_VALUE)
  @Max(1)
  drift_share?: number;
}

export class DriftReportParamsDto {
  @ApiProperty({ pattern: DATASET_ID.source })
  @IsString()
  @Matches(DATASET_ID, { message: 'id is not a valid dataset id' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  report_id!: string;
}

export class DriftColumnResultDto {
  @ApiProperty() column!: string;
  @ApiProperty({ description: 'DuckDB logical type in the dataset' }) type!: string;
  @ApiProperty({ enum: ['numerical', 'categorical'] }) kind!: DriftColumnKind;
  @ApiProperty({ enum: DRIFT_METHODS }) method!: DriftMethod;
  @ApiProperty({ type: Number, nullable: true, description: 'KS D, chi-squared or z; the distance for distance methods; null when unbounded' }) statistic!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'ks, chisquare, z' }) p_value!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'wasserstein (normed by the reference standard deviation), jensenshannon, psi' }) distance!: number | null;
  @ApiProperty() threshold!: number;
  @ApiProperty() drifted!: boolean;
  @ApiProperty({ description: 'Non-null, finite reference values compared' }) reference_count!: number;
  @ApiProperty() current_count!: number;
}

export class DriftReportDto {
  @ApiProperty({ format: 'uuid' }) report_id!: string;
  @ApiProperty() dataset_id!: string;
  @ApiProperty() reference_dataset_id!: string;
  @ApiProperty({ type: String, nullable: true }) dataset_sha256!: string | null;
  @ApiProperty({ type: String, nullable: true }) reference_sha256!: string | null;
  @ApiProperty() dataset_rows!: number;
  @ApiProperty() reference_rows!: number;
  @ApiProperty({ type: [DriftColumnResultDto] }) columns!: DriftColumnResultDto[];
  @ApiProperty() number_of_columns!: number;
  @ApiProperty() number_of_drifted_columns!: number;
  @ApiProperty() share_of_drifted_columns!: number;
  @ApiProperty() drift_share!: number;
  @ApiProperty() dataset_drift!: boolean;
  @ApiProperty({ format: 'date-time' }) computed_at!: string;
  @ApiProperty() computed_by!: string;
  @ApiProperty() version!: number;
}
