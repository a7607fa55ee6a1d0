import { FEATURE_STORE_API } from '../routes';
import type { DatasetDto } from './datasets.dto';
import type { DatasetDocument } from './datasets.projection';
import type { DriftReportDto } from './drift.dto';
import type { DriftReportDocument } from './drift.projection';

export const presentDataset = ({ _id, ...dataset }: DatasetDocument): DatasetDto => dataset;
export const datasetLocation = (id: string) => `/${FEATURE_STORE_API}/datasets/${encodeURIComponent(id)}`;

export const presentDriftReport = ({ _id, ...report }: DriftReportDocument): DriftReportDto => report;
export const driftReportLocation = (id: string, reportId: string) => `${datasetLocation(id)}/drift/${reportId}`;
