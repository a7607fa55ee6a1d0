import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  NotEquals,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { FEATURE_VALUE_TYPES, type FeatureValueType } from '@mlops/events';
import { custom, ListQueryDto, OptionalTags, PageDto } from '@mlops/platform';
import { DATASET_ID } from '../datasets/datasets.dto';
import { FEATURE_STATUSES, type FeatureStatus } from './feature.decider';

export const FEATURE_NAME = /^[a-z][a-z0-9_]{0,127}$/;
/** `/features/datasets` is the datasets collection, so no feature may be called that. */
export const RESERVED_FEATURE_NAMES = ['datasets'];
const ENTITY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const SOURCE_KINDS = ['column', 'sql'] as const;

/** Allowed values: strings (≤ 1024 characters), finite numbers or booleans. */
const IsAllowedValues = () =>
  custom(
    'isAllowedValues',
    'must hold strings (up to 1024 characters), finite numbers or booleans',
    (value) =>
      Array.isArray(value) &&
      value.every((v) => (typeof v === 'string' && v.length <= 1024) || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean'),
  );

export class FeatureSchemaDto {
  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  nullable?: boolean;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Numeric value types only' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  min?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Numeric value types only' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  max?: number | null;

  @ApiPropertyOptional({
    type: 'array',
    items: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    nullable: true,
    maxItems: 1000,
    description: 'Of the value type (timestamps as ISO-8601 strings)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsAllowedValues()
  allowed_values?: (string | number | boolean)[] | null;
}

export class FeatureSourceDto {
  @ApiProperty({ enum: SOURCE_KINDS, description: 'column: a column of the dataset; sql: a DuckDB SQL expression over its columns' })
  @IsIn(SOURCE_KINDS)
  kind!: (typeof SOURCE_KINDS)[number];

  @ApiProperty({ example: 'transactions', pattern: DATASET_ID.source, description: 'A registered dataset' })
  @IsString()
  @Matches(DATASET_ID, { message: 'dataset_id is not a valid dataset id' })
  dataset_id!: string;

  @ApiPropertyOptional({ example: 'amount', description: 'kind column: the column; it must exist in the dataset (422 otherwise)' })
  @ValidateIf((dto: FeatureSourceDto) => dto.kind === 'column' || dto.column !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  column?: string;

  @ApiPropertyOptional({ example: 'amount / nullif(quantity, 0)', description: 'kind sql: a scalar expression DuckDB must be able to bind against the dataset (422 otherwise)' })
  @ValidateIf((dto: FeatureSourceDto) => dto.kind === 'sql' || dto.expression !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(10000)
  expression?: string;
}

class FeatureDefinitionFields {
  @ApiPropertyOptional({ type: FeatureSchemaDto, description: 'Constraints; replaces the previous schema whole (omitted constraints are unconstrained, nullable defaults to true)' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => FeatureSchemaDto)
  schema?: FeatureSchemaDto;
}

export class CreateFeatureDto extends FeatureDefinitionFields {
  @ApiProperty({ example: 'avg_basket_value_7d', pattern: FEATURE_NAME.source, description: 'Unique; `datasets` is reserved' })
  @IsString()
  @Matches(FEATURE_NAME, { message: 'name must start with a lowercase letter and use lowercase letters, digits or _ (max 128)' })
  @NotEquals('datasets', { message: 'datasets is reserved' })
  name!: string;

  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiProperty({ example: 'customer_id', pattern: ENTITY.source, description: 'The entity (join key) the feature is keyed by' })
  @IsString()
  @Matches(ENTITY, { message: 'entity must be an identifier of letters, digits and _ (max 128)' })
  entity!: string;

  @ApiProperty({ enum: FEATURE_VALUE_TYPES })
  @IsIn(FEATURE_VALUE_TYPES)
  value_type!: FeatureValueType;

  @ApiProperty({ type: FeatureSourceDto })
  @IsObject()
  @ValidateNested()
  @Type(() => FeatureSourceDto)
  source!: FeatureSourceDto;

  @ApiPropertyOptional({ description: 'Defaults to the caller' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  owner?: string;

  @ApiPropertyOptional({ type: [String] })
  @OptionalTags()
  tags?: string[];

  @ApiPropertyOptional({ default: 'Initial version', maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(10000)
  changelog?: string;
}

export class CreateFeatureVersionDto extends FeatureDefinitionFields {
  @ApiPropertyOptional({ enum: FEATURE_VALUE_TYPES, description: 'Defaults to the latest version’s' })
  @IsOptional()
  @IsIn(FEATURE_VALUE_TYPES)
  value_type?: FeatureValueType;

  @ApiPropertyOptional({ type: FeatureSourceDto, description: 'Defaults to the latest version’s' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => FeatureSourceDto)
  source?: FeatureSourceDto;

  @ApiProperty({ example: 'Widen to int64: order counts exceed 2^31', maxLength: 10000 })
  @IsString()
  @MinLength(1)
  @MaxLength(10000)
  changelog!: string;
}

export class UpdateFeatureDto {
  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  owner?: string;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the tags' })
  @OptionalTags()
  tags?: string[];

  @ApiPropertyOptional({ enum: FEATURE_STATUSES, description: 'deprecated = DELETE; active restores a deprecated feature' })
  @IsOptional()
  @IsIn(FEATURE_STATUSES)
  status?: FeatureStatus;

  @ApiPropertyOptional({ maxLength: 10000, description: 'Why, when deprecating' })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  reason?: string;
}

export class DeprecateFeatureQueryDto {
  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  reason?: string;
}

export class FeatureNameParamsDto {
  @ApiProperty({ pattern: FEATURE_NAME.source })
  @IsString()
  @Matches(FEATURE_NAME, { message: 'name is not a valid feature name' })
  name!: string;
}

export class FeatureVersionParamsDto extends FeatureNameParamsDto {
  @ApiProperty({ minimum: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  version!: number;
}

export class ListFeaturesQueryDto extends ListQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(ENTITY, { message: 'entity must be an identifier' })
  entity?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(256)
  owner?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  tag?: string;

  @ApiPropertyOptional({ enum: FEATURE_STATUSES })
  @IsOptional()
  @IsIn(FEATURE_STATUSES)
  status?: FeatureStatus;
}

export class FeatureSchemaViewDto {
  @ApiProperty() nullable!: boolean;
  @ApiProperty({ type: Number, nullable: true }) min!: number | null;
  @ApiProperty({ type: Number, nullable: true }) max!: number | null;
  @ApiProperty({ type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] }, nullable: true })
  allowed_values!: (string | number | boolean)[] | null;
}

export class FeatureSourceViewDto {
  @ApiProperty({ enum: SOURCE_KINDS }) kind!: string;
  @ApiProperty() dataset_id!: string;
  @ApiPropertyOptional() column?: string;
  @ApiPropertyOptional() expression?: string;
}

export class FeatureVersionDto {
  @ApiProperty() name!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ enum: FEATURE_VALUE_TYPES }) value_type!: FeatureValueType;
  @ApiProperty({ type: FeatureSchemaViewDto }) schema!: FeatureSchemaViewDto;
  @ApiProperty({ type: FeatureSourceViewDto }) source!: FeatureSourceViewDto;
  @ApiProperty() changelog!: string;
  @ApiProperty({ description: 'Whether values valid under the previous version stay valid (type narrowing, removed allowed values, tighter bounds or nullable → required break it)' })
  backward_compatible!: boolean;
  @ApiProperty({ type: [String] }) breaking_changes!: string[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() created_by!: string;
}

export class FeatureDto {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() entity!: string;
  @ApiProperty() owner!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ enum: FEATURE_STATUSES }) status!: FeatureStatus;
  @ApiProperty({ type: String, nullable: true }) deprecation_reason!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) deprecated_at!: string | null;
  @ApiProperty({ type: FeatureVersionDto }) latest_version!: FeatureVersionDto;
  @ApiProperty({ description: 'Stream version; the ETag' }) version!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() created_by!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty() updated_by!: string;
}

export class FeaturePageDto extends PageDto(FeatureDto) {}

export class FeatureVersionPageDto extends PageDto(FeatureVersionDto) {}
