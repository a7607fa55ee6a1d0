import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import type { PromptTemplateBody, PromptTemplateType, PromptVersionStatus } from '@mlops/events';
import { ListQueryDto, OptionalTags } from '@mlops/platform';
import { VERSION_STATUSES } from './template.decider';
import { IsConfigObject, IsTemplateBody, IsVariables, LABEL, OptionalVariableNames, TEMPLATE_BODY_SCHEMA, TEMPLATE_ID } from './template-validators';

/** What the template routes take: bodies, path parameters and list filters. */

export class PolicyDto {
  @ApiProperty({ description: 'Approval needs a passing automatic evaluation of the version' })
  @IsBoolean()
  require_passing_evaluation!: boolean;
}

export class NewVersionDto {
  @ApiProperty({ ...TEMPLATE_BODY_SCHEMA, description: 'Text with {{variable}} placeholders (mustache), or chat messages whose contents are templates' })
  @IsTemplateBody()
  template!: PromptTemplateBody;

  @ApiPropertyOptional({ type: [String], description: 'Declared variables; the evaluation compares them with the placeholders used' })
  @OptionalVariableNames()
  variables?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 512 } })
  @IsOptional()
  @IsConfigObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  commit_message?: string;
}

export class CreateTemplateDto extends NewVersionDto {
  @ApiProperty({ example: 'support-answer', pattern: TEMPLATE_ID.source, description: 'Slug, unique' })
  @IsString()
  @Matches(TEMPLATE_ID, { message: 'id must be a slug: lowercase letters, digits and -, at most 63' })
  id!: string;

  @ApiProperty({ example: 'Support answer', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ enum: ['text', 'chat'], default: 'text' })
  @IsOptional()
  @IsIn(['text', 'chat'])
  type?: PromptTemplateType;

  @ApiPropertyOptional({ description: 'Defaults to the caller' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._:@/-]{1,128}$/)
  owner?: string;

  @ApiPropertyOptional({ type: [String] })
  @OptionalTags()
  tags?: string[];

  @ApiPropertyOptional({ type: PolicyDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PolicyDto)
  policy?: PolicyDto;
}

export class TemplateIdParamsDto {
  @ApiProperty({ pattern: TEMPLATE_ID.source })
  @IsString()
  @Matches(TEMPLATE_ID, { message: 'id is not a template id' })
  id!: string;
}

export class TemplateVersionParamsDto extends TemplateIdParamsDto {
  @ApiProperty({ minimum: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  version!: number;
}

export class LabelParamsDto extends TemplateIdParamsDto {
  @ApiProperty({ pattern: LABEL.source, example: 'production' })
  @IsString()
  @Matches(LABEL, { message: 'label must be lowercase letters, digits, _ or -, starting with a letter' })
  label!: string;
}

export class ApproveDto {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class RejectDto {
  @ApiProperty({ minLength: 1, maxLength: 2000 })
  @IsString()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxLength(2000)
  reason!: string;
}

export class RetireDto {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class MoveLabelDto {
  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  version!: number;
}

export class RenderDto {
  @ApiPropertyOptional({ pattern: LABEL.source, description: 'Which version to render by label (default production when no version is given)' })
  @IsOptional()
  @IsString()
  @Matches(LABEL)
  label?: string;

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  version?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { question: 'Where is my order?' } })
  @IsOptional()
  @IsVariables()
  variables?: Record<string, unknown>;
}

export class ListTemplatesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: VERSION_STATUSES, description: 'Templates with at least one version in this status' })
  @IsOptional()
  @IsIn(VERSION_STATUSES)
  status?: PromptVersionStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._:@/-]{1,128}$/)
  owner?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/^[^$\s][^\s]{0,127}$/)
  tag?: string;
}

export class LabelHistoryQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ pattern: LABEL.source })
  @IsOptional()
  @IsString()
  @Matches(LABEL)
  label?: string;
}

export const AUDIT_ACTIONS = [
  'TemplateCreated',
  'TemplateVersionCreated',
  'TemplateVersionSubmitted',
  'TemplateVersionApproved',
  'TemplateVersionRejected',
  'TemplateVersionRetired',
  'TemplateVersionEvaluated',
  'TemplateLabelMoved',
];

export class AuditQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: string;

  @ApiPropertyOptional({ minimum: 1, description: 'Entries about this template version' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  version?: number;
}
