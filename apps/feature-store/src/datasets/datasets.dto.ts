import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import type { DatasetSourceType, ProfileValue } from '@mlops/events';
import { ListQueryDto, OptionalTags, PageDto } from '@mlops/platform';

export const DATASET_ID = /^[a-z][a-z0-9_-]{0,127}$/;
export const SOURCE_TYPES: DatasetSourceType[] = ['csv', 'parquet', 'duckdb_table'];
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}(\.[A-Za-z_][A-Za-z0-9_]{0,127})?$/;

export class RegisterDatasetDto {
  @ApiProperty({
    example: 'transactions',
    pattern: DATASET_ID.source,
    description: 'Unique; also the dataset id in URLs and events (a readable slug a platform team can reference)',
  })
  @IsString()
  @Matches(DATASET_ID, { message: 'name must start with a lowercase letter and use lowercase letters, digits, _ or - (max 128)' })
  name!: string;

  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiProperty({ enum: SOURCE_TYPES })
  @IsIn(SOURCE_TYPES)
  source_type!: DatasetSourceType;

  @ApiPropertyOptional({
    example: 'raw/transactions.parquet',
    maxLength: 4096,
    description:
      'The file, relative to the data root (FEATURE_STORE_DATA_ROOT); absolute paths must lie inside it and symlinks may not lead out. Required for csv and parquet; for duckdb_table the database file, by default FEATURE_STORE_DUCKDB_PATH.',
  })
  @ValidateIf((dto: RegisterDatasetDto) => dto.source_type !== 'duckdb_table' || dto.path !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  path?: string;

  @ApiPropertyOptional({ example: 'trips', pattern: TABLE_NAME.source, description: 'duckdb_table only: [schema.]table' })
  @ValidateIf((dto: RegisterDatasetDto) => dto.source_type === 'duckdb_table' || dto.table_name !== undefined)
  @IsString()
  @Matches(TABLE_NAME, { message: 'table_name must be [schema.]table of letters, digits and _' })
  table_name?: string;

  @ApiPropertyOptional({ type: [String], example: ['payments'] })
  @OptionalTags()
  tags?: string[];
}

export class DatasetIdParamsDto {
  @ApiProperty({ pattern: DATASET_ID.source })
  @IsString()
  @Matches(DATASET_ID, { message: 'id is not a valid dataset id' })
  id!: string;
}

export class ListDatasetsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: SOURCE_TYPES })
  @IsOptional()
  @IsIn(SOURCE_TYPES)
  source_type?: DatasetSourceType;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  tag?: string;
}

export class DatasetColumnDto {
  @ApiProperty() column!: string;
  @ApiProperty({ description: 'DuckDB logical type', example: 'BIGINT' }) type!: string;
}

const PROFILE_VALUE = { oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }], nullable: true };

export class ColumnProfileDto {
  @ApiProperty() column!: string;
  @ApiProperty() type!: string;
  @ApiProperty() null_count!: number;
  @ApiProperty({ description: 'approx_count_distinct (HyperLogLog) of the non-null values' }) approx_distinct!: number;
  @ApiProperty({ ...PROFILE_VALUE, description: 'Numbers as numbers (integers beyond 2^53 as strings), timestamps as ISO-8601, text cut to 256 characters; null for nested types' })
  min!: ProfileValue;
  @ApiProperty(PROFILE_VALUE) max!: ProfileValue;
  @ApiProperty({ type: Number, nullable: true, description: 'Numeric columns only' }) mean!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Sample standard deviation; numeric columns only' }) stddev!: number | null;
}

export class RetypedColumnDto {
  @ApiProperty() column!: string;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
}

export class SchemaChangeDto {
  @ApiProperty({ type: [DatasetColumnDto] }) added!: DatasetColumnDto[];
  @ApiProperty({ type: [DatasetColumnDto] }) removed!: DatasetColumnDto[];
  @ApiProperty({ type: [RetypedColumnDto] }) retyped!: RetypedColumnDto[];
  @ApiProperty({ format: 'date-time' }) changed_at!: string;
}

export class DatasetDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: SOURCE_TYPES }) source_type!: DatasetSourceType;
  @ApiProperty({ description: 'Relative to the data root; for duckdb_table the database file' }) path!: string;
  @ApiProperty({ type: String, nullable: true }) table_name!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: [DatasetColumnDto] }) schema!: DatasetColumnDto[];
  @ApiProperty() row_count!: number;
  @ApiProperty() size_bytes!: number;
  @ApiProperty({ type: String, nullable: true, description: 'sha256 of the file as profiled; null for tables' }) content_sha256!: string | null;
  @ApiProperty({ type: [ColumnProfileDto] }) profile!: ColumnProfileDto[];
  @ApiProperty({ format: 'date-time' }) profiled_at!: string;
  @ApiProperty({ type: SchemaChangeDto, nullable: true }) last_schema_change!: SchemaChangeDto | null;
  @ApiProperty({ description: 'Stream version; the ETag' }) version!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() created_by!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty() updated_by!: string;
}

export class DatasetPageDto extends PageDto(DatasetDto) {}
