import { ApiProperty } from '@nestjs/swagger';
import type { EvaluationFinding } from '@mlops/events';

/** An automatic evaluation as recorded on a template version (the evaluate answer and the version detail show it). */

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
