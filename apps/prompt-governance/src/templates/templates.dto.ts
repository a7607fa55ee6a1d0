import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import type { ChatMessage, EvaluationFinding, PromptTemplateBody, PromptTemplateType, PromptVersionStatus } from '@mlops/events';
import { ListQueryDto, OptionalTags, PageDto } from '@mlops/platform';
import { VERSION_STATUSES } from './template.decider';

export const TEMPLATE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const LABEL = /^[a-z][a-z0-9_-]{0,62}$/;
export const VARIABLE = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const ROLES: ChatMessage['role'][] = ['system', 'user', 'assistant', 'tool'];
const MAX_TEXT = 200_000;
const MAX_MESSAGE = 100_000;
const MAX_MESSAGES = 100;
const MAX_CONFIG_JSON = 20_000;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

function custom(name: string, message: string, validate: (value: unknown) => boolean, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({ name, target: target.constructor, propertyName, options: { message: `${propertyName} ${message}`, ...options }, validator: { validate } });
}

/** A text template (one string) or a chat template (1–100 `{role, content}` messages, nothing else). */
const IsTemplateBody = () =>
  custom('isTemplateBody', `must be a string of at most ${MAX_TEXT} characters or 1-${MAX_MESSAGES} messages {role: ${ROLES.join('|')}, content: string}`, (value) => {
    if (typeof value === 'string') return value.length <= MAX_TEXT;
    if (!Array.isArray(value) || value.length < 1 || value.length > MAX_MESSAGES) return false;
    return value.every(
      (m) =>
        isPlainObject(m) &&
        Object.keys(m).every((k) => k === 'role' || k === 'content') &&
        ROLES.includes(m.role as ChatMessage['role']) &&
        typeof m.content === 'string' &&
        m.content.length <= MAX_MESSAGE,
    );
  });

/** Any JSON object (model settings), at most 20,000 characters serialised. */
const IsConfigObject = () =>
  custom('isConfigObject', `must be a JSON object of at most ${MAX_CONFIG_JSON} characters`, (value) => isPlainObject(value) && JSON.stringify(value).length <= MAX_CONFIG_JSON);

/**
 * Variables for a render or a test case: an object of name → value, kept as parsed — class-transformer
 * would drop keys named like `Object.prototype` methods (`toString`, `hasOwnProperty`), valid variable names.
 */
export const IsVariables = () => (target: object, propertyName: string) => {
  Transform(({ obj }) => (obj as Record<string, unknown>)[propertyName])(target, propertyName);
  custom('isVariables', 'must be an object of variable name → value', (value) => isPlainObject(value) && Object.keys(value).length <= 200 && JSON.stringify(value).length <= 200_000)(
    target,
    propertyName,
  );
};

const OptionalVariableNames = () => (target: object, propertyName: string) => {
  IsOptional()(target, propertyName);
  IsArray()(target, propertyName);
  ArrayMaxSize(200)(target, propertyName);
  ArrayUnique()(target, propertyName);
  Matches(VARIABLE, { each: true, message: `${propertyName} must be variable names (${VARIABLE.source})` })(target, propertyName);
};

const TEMPLATE_BODY_SCHEMA = {
  oneOf: [
    { type: 'string', maxLength: MAX_TEXT, example: 'Answer the customer question: {{question}}' },
    {
      type: 'array',
      minItems: 1,
      maxItems: MAX_MESSAGES,
      items: { type: 'object', required: ['role', 'content'], properties: { role: { enum: ROLES }, content: { type: 'string' } } },
    },
  ],
};

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

// Responses

class LocationDto {
  @ApiProperty({ type: Number, nullable: true, description: 'Chat message index' }) message!: number | null;
  @ApiProperty({ type: Number, nullable: true }) test_case!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Character offset' }) start!: number | null;
  @ApiProperty({ type: Number, nullable: true }) end!: number | null;
}

export class FindingDto {
  @ApiProperty({ example: 'pii_email' }) check!: string;
  @ApiProperty({ enum: ['info', 'warning', 'error'] }) severity!: EvaluationFinding['severity'];
  @ApiProperty() message!: string;
  @ApiProperty({ type: LocationDto }) location!: LocationDto;
}

class TestCaseCountDto {
  @ApiProperty() total!: number;
  @ApiProperty() passed!: number;
}

export class EvaluationDto {
  @ApiProperty({ format: 'uuid' }) evaluation_id!: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) score!: number;
  @ApiProperty() passed!: boolean;
  @ApiProperty() pass_score!: number;
  @ApiProperty() approx_tokens!: number;
  @ApiProperty({ type: TestCaseCountDto }) test_cases!: TestCaseCountDto;
  @ApiProperty({ type: [FindingDto] }) findings!: FindingDto[];
  @ApiProperty({ format: 'date-time' }) evaluated_at!: string;
  @ApiProperty() evaluated_by!: string;
}

export class TemplateVersionDto {
  @ApiProperty() version!: number;
  @ApiProperty(TEMPLATE_BODY_SCHEMA) template!: PromptTemplateBody;
  @ApiProperty({ type: [String], description: 'Placeholders used (top-level names)' }) variables!: string[];
  @ApiProperty({ type: [String], nullable: true }) declared_variables!: string[] | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) config!: Record<string, unknown>;
  @ApiProperty() commit_message!: string;
  @ApiProperty({ enum: VERSION_STATUSES }) status!: PromptVersionStatus;
  @ApiProperty() author!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, nullable: true }) submitted_by!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) submitted_at!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Who approved or rejected it' }) reviewed_by!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) reviewed_at!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Approval comment or rejection reason' }) review_comment!: string | null;
  @ApiProperty({ type: String, nullable: true }) retired_by!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) retired_at!: string | null;
  @ApiProperty({ type: EvaluationDto, nullable: true, description: 'The latest automatic evaluation' }) evaluation!: EvaluationDto | null;
  @ApiProperty({ type: [String], description: 'Labels pointing at this version' }) labels!: string[];
}

export class LabelDto {
  @ApiProperty() label!: string;
  @ApiProperty() version!: number;
  @ApiProperty() moved_by!: string;
  @ApiProperty({ format: 'date-time' }) moved_at!: string;
}

export class TemplateSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: ['text', 'chat'] }) type!: PromptTemplateType;
  @ApiProperty() owner!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: PolicyDto }) policy!: PolicyDto;
  @ApiProperty() latest_version!: number;
  @ApiProperty({ enum: VERSION_STATUSES, isArray: true, description: 'Statuses its versions have' }) statuses!: PromptVersionStatus[];
  @ApiProperty({ type: [LabelDto] }) labels!: LabelDto[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() created_by!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty() updated_by!: string;
}

export class TemplateDetailDto extends TemplateSummaryDto {
  @ApiProperty({ type: [TemplateVersionDto] }) versions!: TemplateVersionDto[];
}

export class TemplatePageDto extends PageDto(TemplateSummaryDto) {}

export class LabelMoveDto {
  @ApiProperty() label!: string;
  @ApiProperty({ type: Number, nullable: true }) from_version!: number | null;
  @ApiProperty() to_version!: number;
  @ApiProperty() moved_by!: string;
  @ApiProperty({ format: 'date-time' }) moved_at!: string;
  @ApiProperty({ description: 'latest moves by itself with each new version' }) automatic!: boolean;
}

export class LabelHistoryPageDto extends PageDto(LabelMoveDto) {}

export class AuditEntryDto {
  @ApiProperty({ description: 'Position in the template’s stream (the ETag after it)' }) stream_version!: number;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action!: string;
  @ApiProperty({ example: 'mlops.prompt-governance.template_version.approved.v1' }) event_type!: string;
  @ApiProperty({ type: Number, nullable: true }) version!: number | null;
  @ApiProperty() actor!: string;
  @ApiProperty({ format: 'date-time' }) time!: string;
  @ApiProperty({ description: 'The request that caused it' }) correlation_id!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event’s data without template text, model settings and findings' }) details!: Record<string, unknown>;
}

export class AuditPageDto extends PageDto(AuditEntryDto) {}

export class RenderedDto {
  @ApiProperty() id!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ type: String, nullable: true, description: 'The label it was resolved by' }) label!: string | null;
  @ApiProperty({ enum: ['text', 'chat'] }) type!: PromptTemplateType;
  @ApiProperty(TEMPLATE_BODY_SCHEMA) prompt!: PromptTemplateBody;
  @ApiProperty({ type: 'object', additionalProperties: true }) config!: Record<string, unknown>;
}

export class AcceptedDto {
  @ApiProperty({ example: 'accepted' }) status!: string;
  @ApiProperty() version!: number;
  @ApiProperty() location!: string;
}
