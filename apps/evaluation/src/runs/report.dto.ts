import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { EvaluationTaskType, ScenarioLabel } from '@mlops/events';
import type { SliceValue } from '../scenarios/scenario-cases';
import { GateDto, RUN_STATUSES } from './runs.dto';
import type { EvaluationRunStatus } from './run.decider';

// The JSON report (GET /runs/{run_id}/report), as composeReport builds it: declared so the
// merged OpenAPI document, and the client generated from it, carry its shape.

const LABEL = { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] };
const ANY_OBJECT = { type: 'object', additionalProperties: true } as const;
const TASK_TYPES: EvaluationTaskType[] = ['binary_classification', 'multiclass_classification', 'regression', 'text'];

export class ReportMetricDto {
  @ApiProperty() key!: string;
  @ApiProperty({ type: Number, nullable: true }) value!: number | null;
  @ApiPropertyOptional({ description: 'Why the value is undefined (e.g. ROC-AUC with one class present)' }) reason?: string;
}

export class ConfusionRowDto {
  @ApiProperty(LABEL) actual!: ScenarioLabel;
  @ApiProperty({ type: [Number], description: 'Cases of this actual class per predicted class, in `labels` order' }) counts!: number[];
}

export class ConfusionMatrixDto {
  @ApiProperty({ type: 'array', items: LABEL, description: 'The classes present, sorted' }) labels!: ScenarioLabel[];
  @ApiProperty({ type: [ConfusionRowDto] }) rows!: ConfusionRowDto[];
}

export class RocCurveDto {
  @ApiProperty({ ...LABEL, description: 'The positive class (binary) or the class against the rest (multiclass, one-vs-rest)' }) label!: ScenarioLabel;
  @ApiProperty({ type: Number, nullable: true, description: 'Area under the whole curve (before the cap)' }) auc!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the curve is undefined (one class present); the arrays are then empty' }) reason!: string | null;
  @ApiProperty({ description: 'Points of scikit-learn’s roc_curve (drop_intermediate) before the cap' }) point_count!: number;
  @ApiProperty({ type: [Number] }) fpr!: number[];
  @ApiProperty({ type: [Number] }) tpr!: number[];
  @ApiProperty({ type: 'array', items: { type: 'number', nullable: true }, description: 'Score thresholds, highest first; null stands for +inf at (0, 0)' })
  thresholds!: (number | null)[];
}

export class RocReportDto {
  @ApiProperty({ type: String, nullable: true, description: 'Why there are no curves: the predictions carried no scores or probabilities' }) reason!: string | null;
  @ApiProperty({ description: 'Points kept per curve at most, spread along it' }) max_points!: number;
  @ApiProperty({ type: [RocCurveDto] }) curves!: RocCurveDto[];
}

export class SliceRankingDto {
  @ApiProperty() metric!: string;
  @ApiProperty() lower_is_better!: boolean;
}

export class ReportSliceDto {
  @ApiProperty() key!: string;
  @ApiProperty({ ...LABEL, nullable: true }) value!: SliceValue;
  @ApiProperty() case_count!: number;
  @ApiProperty({ type: [ReportMetricDto] }) metrics!: ReportMetricDto[];
  @ApiProperty({ type: GateDto }) gate!: GateDto;
}

export class ReportSlicesDto {
  @ApiProperty({ type: SliceRankingDto, nullable: true }) ranked_by!: SliceRankingDto | null;
  @ApiProperty({ type: [ReportSliceDto], description: 'Worst first' }) items!: ReportSliceDto[];
}

export class ErrorAnalysisDto {
  @ApiProperty({ enum: ['most_confident_wrong', 'largest_errors', 'failed_text_checks'] }) kind!: 'most_confident_wrong' | 'largest_errors' | 'failed_text_checks';
  @ApiProperty() total!: number;
  @ApiProperty({
    type: 'array',
    items: ANY_OBJECT,
    description: 'id, expected, input, slices and, by kind: predicted + confidence, predicted + error, or output + failed_assertions',
  })
  items!: Record<string, unknown>[];
}

export class AssertionSummaryDto {
  @ApiProperty() type!: string;
  @ApiProperty({ type: String, nullable: true }) value!: string | null;
  @ApiProperty() passed!: number;
  @ApiProperty() evaluated!: number;
  @ApiProperty({ type: Number, nullable: true }) pass_rate!: number | null;
}

export class FeatureImportanceDto {
  @ApiProperty() feature!: string;
  @ApiProperty() mean_abs_attribution!: number;
  @ApiProperty() mean_attribution!: number;
}

export class SliceImportanceDto {
  @ApiProperty() key!: string;
  @ApiProperty({ ...LABEL, nullable: true }) value!: SliceValue;
  @ApiProperty({ type: [FeatureImportanceDto] }) top_features!: FeatureImportanceDto[];
}

export class ExplainabilityDto {
  @ApiProperty() available!: boolean;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ type: String, nullable: true }) method!: string | null;
  @ApiProperty({ type: [FeatureImportanceDto] }) feature_importance!: FeatureImportanceDto[];
  @ApiProperty({ type: [SliceImportanceDto] }) by_slice!: SliceImportanceDto[];
}

class ModelCardOwnerDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) contact!: string | null;
}

class ModelCardVersionDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) date!: string | null;
  @ApiProperty({ type: String, nullable: true }) diff!: string | null;
}

class ModelCardDetailsDto {
  @ApiProperty() name!: string;
  @ApiProperty() overview!: string;
  @ApiProperty({ type: ModelCardVersionDto }) version!: ModelCardVersionDto;
  @ApiProperty({ type: [ModelCardOwnerDto] }) owners!: ModelCardOwnerDto[];
  @ApiProperty({ type: 'array', items: ANY_OBJECT }) licenses!: Record<string, unknown>[];
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { reference: { type: 'string' } } } }) references!: { reference: string }[];
  @ApiProperty({ type: 'array', items: ANY_OBJECT }) citations!: Record<string, unknown>[];
  @ApiProperty({ type: String, nullable: true }) path!: string | null;
  @ApiProperty() documentation!: string;
  @ApiProperty({ type: String, nullable: true }) regulatory_requirements!: string | null;
}

class ModelCardConsiderationsDto {
  @ApiProperty({ type: 'array', items: ANY_OBJECT }) users!: Record<string, unknown>[];
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { description: { type: 'string' } } } }) use_cases!: { description: string }[];
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { description: { type: 'string' } } } }) limitations!: { description: string }[];
  @ApiProperty({ type: 'array', items: ANY_OBJECT }) tradeoffs!: Record<string, unknown>[];
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, mitigation_strategy: { type: 'string' } } } })
  ethical_considerations!: { name: string; mitigation_strategy: string }[];
}

class ModelCardDataDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) path!: string | null;
  @ApiProperty({ type: String, nullable: true }) link!: string | null;
  @ApiProperty({ type: Boolean, nullable: true }) sensitive!: boolean | null;
  @ApiProperty() description!: string;
  @ApiProperty({ type: String, nullable: true }) creation_timestamp!: string | null;
}

class ModelParametersDto {
  @ApiProperty({ type: String, nullable: true }) model_architecture!: string | null;
  @ApiProperty({ type: [ModelCardDataDto] }) data!: ModelCardDataDto[];
  @ApiProperty({ type: String, nullable: true }) input_format!: string | null;
  @ApiProperty({ description: 'The task type' }) output_format!: string;
  @ApiProperty({ type: 'array', items: ANY_OBJECT, description: 'The training run’s params' }) training_params!: unknown[];
  @ApiProperty({ type: String, nullable: true }) source_run_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) stage!: string | null;
}

class ModelCardDto {
  @ApiProperty({ type: ModelCardDetailsDto }) model_details!: ModelCardDetailsDto;
  @ApiProperty({ type: ModelParametersDto }) model_parameters!: ModelParametersDto;
  @ApiProperty({ ...ANY_OBJECT, description: 'performance_metrics per slice with their thresholds, and graphics' }) quantitative_analysis!: Record<string, unknown>;
  @ApiProperty({ type: ModelCardConsiderationsDto }) considerations!: ModelCardConsiderationsDto;
}

class ScenarioLineageDto {
  @ApiProperty() name!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ type: String, nullable: true }) created_at!: string | null;
  @ApiProperty({ type: String, nullable: true }) created_by!: string | null;
  @ApiProperty(ANY_OBJECT) cases!: Record<string, unknown>;
}

class DatasetLineageDto {
  @ApiProperty() dataset_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() source_type!: string;
  @ApiProperty({ type: String, nullable: true }) path!: string | null;
  @ApiProperty({ type: String, nullable: true }) table_name!: string | null;
  @ApiProperty({ type: Number, nullable: true }) row_count_at_run!: number | null;
  @ApiProperty({ type: String, nullable: true }) content_sha256_at_run!: string | null;
  @ApiProperty({ type: 'array', items: ANY_OBJECT, description: 'Columns and their types as DuckDB read them' }) schema!: unknown[];
  @ApiProperty({ type: 'array', items: ANY_OBJECT, description: 'Per-column profile: nulls, distinct, min / max, mean, stddev' }) profile!: unknown[];
  @ApiProperty({ format: 'date-time' }) profiled_at!: string;
}

class ModelLineageDto {
  @ApiProperty() model_name!: string;
  @ApiProperty() version!: number;
  @ApiPropertyOptional() run_id?: string;
  @ApiPropertyOptional() artifact_uri?: string;
  @ApiPropertyOptional() registered_at?: string;
  @ApiPropertyOptional() registered_by?: string;
  @ApiProperty({ type: String, nullable: true }) stage_at_queue!: string | null;
  @ApiProperty({ type: String, nullable: true }) stage_now!: string | null;
}

class RunLineageDto {
  @ApiProperty({ format: 'uuid' }) run_id!: string;
  @ApiProperty() started_by!: string;
  @ApiProperty({ format: 'date-time' }) queued_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) started_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completed_at!: string | null;
  @ApiProperty() correlation_id!: string;
  @ApiProperty() cases_sha256!: string;
  @ApiProperty() predictions_sha256!: string;
  @ApiProperty({ type: String, nullable: true }) report_sha256!: string | null;
}

class LineageDto {
  @ApiProperty({ type: ScenarioLineageDto }) scenario!: ScenarioLineageDto;
  @ApiProperty({ type: DatasetLineageDto, nullable: true }) dataset!: DatasetLineageDto | null;
  @ApiProperty({ type: ModelLineageDto }) model!: ModelLineageDto;
  @ApiProperty({ type: RunLineageDto }) run!: RunLineageDto;
}

class ComplianceDto {
  @ApiProperty({ type: ModelCardDto, description: 'In the Model Card Toolkit’s layout' }) model_card!: ModelCardDto;
  @ApiProperty({ type: LineageDto }) lineage!: LineageDto;
}

export class EvaluationReportDto {
  @ApiProperty({ format: 'uuid' }) run_id!: string;
  @ApiProperty({ enum: RUN_STATUSES }) status!: EvaluationRunStatus;
  @ApiProperty() scenario_name!: string;
  @ApiProperty() scenario_version!: number;
  @ApiProperty() model_name!: string;
  @ApiProperty() model_version!: number;
  @ApiProperty({ enum: TASK_TYPES }) task_type!: EvaluationTaskType;
  @ApiProperty() case_count!: number;
  @ApiProperty({ type: [ReportMetricDto] }) metrics!: ReportMetricDto[];
  @ApiProperty({ type: GateDto }) gate!: GateDto;
  @ApiProperty({ type: ConfusionMatrixDto, nullable: true, description: 'Classification only' }) confusion_matrix!: ConfusionMatrixDto | null;
  @ApiProperty({ type: RocReportDto, nullable: true, description: 'Classification only: the ROC curve per class, or why there is none' }) roc_curve!: RocReportDto | null;
  @ApiProperty({ type: ReportSlicesDto }) slices!: ReportSlicesDto;
  @ApiProperty({ type: ErrorAnalysisDto }) error_analysis!: ErrorAnalysisDto;
  @ApiProperty({ type: [AssertionSummaryDto] }) assertions!: AssertionSummaryDto[];
  @ApiProperty({ type: ExplainabilityDto }) explainability!: ExplainabilityDto;
  @ApiProperty({ type: ComplianceDto }) compliance!: ComplianceDto;
}
