import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { DeploymentEnvironment, DeploymentHealth, DeploymentStatus, DriftSeverity } from '@mlops/events';
import { IntegerFromDigits, ListQueryDto, MODEL_NAME, PageDto } from '@mlops/platform';
import { DEPLOYMENT_STATUSES, ENVIRONMENTS, PATCHABLE_STATUSES, PatchableStatus } from './deployment.decider';

const HEALTH: DeploymentHealth[] = ['unknown', 'healthy', 'degraded', 'unhealthy'];

export class ResourcesDto {
  @ApiPropertyOptional({ example: '500m', description: 'Kubernetes CPU quantity' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9]+(\.[0-9]+)?m?$/, { message: 'cpu must be a CPU quantity such as 500m or 2' })
  cpu?: string;

  @ApiPropertyOptional({ example: '1Gi', description: 'Kubernetes memory quantity' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9]+(Ki|Mi|Gi|Ti|K|M|G|T)?$/, { message: 'memory must be a memory quantity such as 512Mi or 2Gi' })
  memory?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 64 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(64)
  gpu?: number;
}

export class DeploymentConfigDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  replicas?: number;

  @ApiPropertyOptional({ type: ResourcesDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ResourcesDto)
  resources?: ResourcesDto;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 100,
    default: 100,
    description: 'Share of the traffic (a canary takes less than 100); live deployments of a model in an environment sum to at most 100',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  traffic_percent?: number;
}

export class CreateDeploymentDto {
  @ApiProperty({ example: 'churn-classifier', pattern: MODEL_NAME.source })
  @IsString()
  @Matches(MODEL_NAME, { message: 'model_name is not a valid model name' })
  model_name!: string;

  @ApiProperty({ minimum: 1, description: 'Also accepted as a digit string ("3")' })
  @IntegerFromDigits()
  @IsInt()
  @Min(1)
  model_version!: number;

  @ApiProperty({ enum: ENVIRONMENTS, description: 'production only for a production-stage version' })
  @IsIn(ENVIRONMENTS)
  environment!: DeploymentEnvironment;

  @ApiPropertyOptional({ type: DeploymentConfigDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DeploymentConfigDto)
  config?: DeploymentConfigDto;
}

export class DeploymentMetricsDto {
  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  latency_p50_ms?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  latency_p99_ms?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  error_rate?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  rps?: number;
}

export class UpdateDeploymentDto {
  @ApiPropertyOptional({
    enum: PATCHABLE_STATUSES,
    description: 'pending → validating → deploying → active, or → failed. Rollback and termination have their own endpoints.',
  })
  @IsOptional()
  @IsIn(PATCHABLE_STATUSES)
  status?: PatchableStatus;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Why the status changed' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;

  @ApiPropertyOptional({ enum: HEALTH })
  @IsOptional()
  @IsIn(HEALTH)
  health?: DeploymentHealth;

  @ApiPropertyOptional({ type: DeploymentMetricsDto, description: 'Merged into the last reported metrics' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DeploymentMetricsDto)
  metrics?: DeploymentMetricsDto;
}

export class ReasonDto {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class DeploymentIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

export class ListDeploymentsQueryDto extends ListQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(MODEL_NAME)
  model_name?: string;

  @ApiPropertyOptional({ enum: ENVIRONMENTS })
  @IsOptional()
  @IsIn(ENVIRONMENTS)
  environment?: DeploymentEnvironment;

  @ApiPropertyOptional({ enum: DEPLOYMENT_STATUSES })
  @IsOptional()
  @IsIn(DEPLOYMENT_STATUSES)
  status?: DeploymentStatus;
}

class ResourcesView {
  @ApiPropertyOptional() cpu?: string;
  @ApiPropertyOptional() memory?: string;
  @ApiPropertyOptional() gpu?: number;
}

class ConfigView {
  @ApiProperty() replicas!: number;
  @ApiProperty({ type: ResourcesView }) resources!: ResourcesView;
  @ApiProperty() traffic_percent!: number;
}

class StatusStepDto {
  @ApiProperty({ enum: DEPLOYMENT_STATUSES, nullable: true }) from!: DeploymentStatus | null;
  @ApiProperty({ enum: DEPLOYMENT_STATUSES }) to!: DeploymentStatus;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() by!: string;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
}

class DriftAlertDto {
  @ApiProperty({ format: 'uuid' }) drift_event_id!: string;
  @ApiProperty() feature!: string;
  @ApiProperty() metric!: string;
  @ApiProperty() value!: number;
  @ApiProperty() threshold!: number;
  @ApiProperty({ enum: ['low', 'medium', 'high', 'critical'] }) severity!: DriftSeverity;
  @ApiProperty({ format: 'date-time' }) detected_at!: string;
}

export class DeploymentDto {
  @ApiProperty({ format: 'uuid' }) deployment_id!: string;
  @ApiProperty() model_name!: string;
  @ApiProperty() model_version!: number;
  @ApiProperty({ enum: ENVIRONMENTS }) environment!: DeploymentEnvironment;
  @ApiProperty({ enum: DEPLOYMENT_STATUSES }) status!: DeploymentStatus;
  @ApiProperty({ type: ConfigView }) config!: ConfigView;
  @ApiProperty({ enum: HEALTH }) health!: DeploymentHealth;
  @ApiProperty({ type: DeploymentMetricsDto }) metrics!: DeploymentMetricsDto;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) health_reported_at!: string | null;
  @ApiProperty({ type: [StatusStepDto] }) status_history!: StatusStepDto[];
  @ApiProperty({ type: [DriftAlertDto] }) drift_alerts!: DriftAlertDto[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) terminated_at!: string | null;
  @ApiProperty({ description: 'Stream version; the ETag' }) version!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() created_by!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty() updated_by!: string;
}

export class DeploymentPageDto extends PageDto(DeploymentDto) {}
