import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { BoundAggregate, CommandResult, InjectAggregate, notFound } from '@mlops/event-sourcing';
import { DatasetsService } from './datasets.service';
import { DriftComputation } from './drift-computation';
import { datasetDrift, DEFAULT_DRIFT_SHARE } from './drift-report';
import { driftReportAggregate } from './drift-report.aggregate';
import { ComputeDriftDto } from './drift.dto';
import { DriftReportDocument } from './drift.projection';

@Injectable()
export class DriftService {
  constructor(
    @InjectAggregate(driftReportAggregate) private readonly reports: BoundAggregate<typeof driftReportAggregate>,
    private readonly datasets: DatasetsService,
    private readonly computation: DriftComputation,
  ) {}

  /** Compares the dataset with the reference in DuckDB (404 for either unknown, 422 when a column cannot be compared), then records the report. */
  async compute(datasetId: string, dto: ComputeDriftDto): Promise<CommandResult<DriftReportDocument> & { reportId: string }> {
    const [current, reference] = await Promise.all([this.datasets.source(datasetId), this.datasets.source(dto.reference_dataset)]);
    if (!current) throw notFound(`Dataset ${datasetId} does not exist`);
    if (!reference) throw notFound(`Reference dataset ${dto.reference_dataset} does not exist`);
    const [currentDoc, referenceDoc] = await Promise.all([this.datasets.get(datasetId), this.datasets.get(dto.reference_dataset)]);
    const measured = await this.computation.compare(current, reference, dto.columns);
    const reportId = randomUUID();
    const data = {
      report_id: reportId,
      dataset_id: datasetId,
      reference_dataset_id: dto.reference_dataset,
      dataset_sha256: currentDoc.content_sha256,
      reference_sha256: referenceDoc.content_sha256,
      dataset_rows: measured.currentRows,
      reference_rows: measured.referenceRows,
      columns: measured.columns,
      ...datasetDrift(measured.columns, dto.drift_share ?? DEFAULT_DRIFT_SHARE),
    };
    const { version, doc } = await this.reports.execute(reportId, { type: 'RecordDriftReport', data });
    return { version, doc, reportId };
  }

  async get(datasetId: string, reportId: string): Promise<DriftReportDocument> {
    const doc = await this.reports.find(reportId);
    if (!doc || doc.dataset_id !== datasetId) throw notFound(`Dataset ${datasetId} has no drift report ${reportId}`);
    return doc;
  }
}
