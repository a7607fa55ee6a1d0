import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsVariables, TEMPLATE_ID } from '../templates/template-validators';
import { ASSERTION_TYPES, AssertionType } from '@mlops/assertions';

export class AssertionDto {
  @ApiProperty({ enum: ASSERTION_TYPES, example: 'icontains' })
  @IsIn(ASSERTION_TYPES)
  type!: AssertionType;

  @ApiPropertyOptional({ maxLength: 10000, description: 'What to compare with (regex: an RE2 pattern, linear time: no lookaround or backreferences); not used by is-json' })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  value?: string;

  @ApiPropertyOptional({ minimum: 0, description: 'levenshtein: the largest distance that passes (default 5)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  threshold?: number;
}

export class TestCaseDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: { question: 'Where is my order?' } })
  @IsVariables()
  variables!: Record<string, unknown>;

  @ApiPropertyOptional({ maxLength: 100000, description: 'The model output the assertions check' })
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  output?: string;

  @ApiProperty({ type: [AssertionDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AssertionDto)
  assertions!: AssertionDto[];
}

export class EvaluateDto {
  @ApiProperty({ pattern: TEMPLATE_ID.source })
  @IsString()
  @Matches(TEMPLATE_ID, { message: 'template_id is not a template id' })
  template_id!: string;

  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  version!: number;

  @ApiPropertyOptional({ type: [TestCaseDto], maxItems: 100 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => TestCaseDto)
  test_cases?: TestCaseDto[];
}
