import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CommandRoute, createdReply, READ_MODEL_BEHIND, ReadRoute, withVersionTag } from '@mlops/platform';
import { FEATURE_STORE_API } from '../routes';
import { DatasetIdParamsDto } from './datasets.dto';
import { driftReportLocation, presentDriftReport } from './datasets.presenter';
import { ComputeDriftDto, DriftReportDto, DriftReportParamsDto } from './drift.dto';
import { DriftService } from './drift.service';

@ApiTags('datasets')
@Controller(`${FEATURE_STORE_API}/datasets`)
export class DriftController {
  constructor(private readonly drift: DriftService) {}

  @Post(':id/drift')
  @CommandRoute({
    summary: 'Compute the drift of this dataset against a reference dataset, as Evidently computes it',
    description: "DuckDB aggregates both datasets where they are; per column Evidently's default test (≤ 1,000 non-null reference rows: two-sample KS for numbers with more than 5 distinct values, chi-squared, or the proportion Z-test for two values, drift at p < 0.05; above: normed Wasserstein distance for numbers, Jensen–Shannon distance otherwise, drift at ≥ 0.1) or the one asked for (psi too); the dataset drifts when at least drift_share (0.5) of the columns do. The report is stored and emitted as dataset.drift_computed.v1.",
    created: DriftReportDto,
    accepted: { description: READ_MODEL_BEHIND },
    badRequest: 'Invalid input',
    notFound: 'No such dataset or reference dataset',
    unprocessable: 'A column is missing from either dataset, of types that cannot be compared, has no non-null values, or the method does not fit it; or DuckDB cannot read a dataset',
  })
  async compute(@Param() params: DatasetIdParamsDto, @Body() dto: ComputeDriftDto) {
    const result = await this.drift.compute(params.id, dto);
    return createdReply(result, driftReportLocation(params.id, result.reportId), presentDriftReport);
  }

  @Get(':id/drift/:report_id')
  @ReadRoute({ summary: 'A drift report of this dataset', ok: DriftReportDto, notFound: 'No such report for this dataset' })
  async get(@Param() params: DriftReportParamsDto) {
    const report = await this.drift.get(params.id, params.report_id);
    return withVersionTag(report.version, presentDriftReport(report));
  }
}
