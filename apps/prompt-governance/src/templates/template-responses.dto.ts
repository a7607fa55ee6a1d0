import { ApiProperty } from '@nestjs/swagger';
import type { PromptTemplateBody, PromptTemplateType, PromptVersionStatus } from '@mlops/events';
import { PageDto } from '@mlops/platform';
import { EvaluationDto } from '../evaluation/evaluation-result.dto';
import { VERSION_STATUSES } from './template.decider';
import { AUDIT_ACTIONS, PolicyDto } from './template-requests.dto';
import { TEMPLATE_BODY_SCHEMA } from './template-validators';

/** What the template routes answer. */

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
