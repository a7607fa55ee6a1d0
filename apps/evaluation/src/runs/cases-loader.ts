import type { EvaluationTaskType, ScenarioCasesSource, ScenarioLabel } from '@mlops/events';
import { invalidState } from '@mlops/event-sourcing';
import { CellValue, readDatasetColumns } from '../datasets/dataset-reader';
import { KnownDatasetDocument } from '../datasets/datasets.projection';
import { caseIdOf, CasesPayload } from '../scenarios/scenario-cases';

/**
 * Reads a dataset-backed scenario's cases through DuckDB into the same columnar payload inline
 * cases use: the run then stores them (content-addressed), so it is evaluated, and replayed, on
 * exactly what was read.
 */
export async function loadDatasetCases(
  task: EvaluationTaskType,
  source: Extract<ScenarioCasesSource, { source: 'dataset' }>,
  dataset: KnownDatasetDocument,
  dataRoot: string,
  maxCases: number,
): Promise<CasesPayload> {
  const wanted = [...new Set([source.label_column, ...(source.id_column ? [source.id_column] : []), ...source.input_columns, ...source.slice_columns])];
  const { rows, columns } = await readDatasetColumns(dataRoot, dataset, wanted, maxCases);
  if (rows === 0) throw invalidState(`Dataset ${dataset.dataset_id} has no rows`);
  const labels = columns.get(source.label_column)!;
  const problems: string[] = [];
  const expected = labels.map((value: CellValue, row) => {
    if (task === 'regression' && (typeof value !== 'number' || !Number.isFinite(value))) problems.push(`row ${row}: ${source.label_column} is not a number`);
    if ((task === 'binary_classification' || task === 'multiclass_classification') && value === null) problems.push(`row ${row}: ${source.label_column} is empty`);
    if (task === 'text' && value !== null && typeof value !== 'string') return String(value);
    return value as ScenarioLabel | null;
  });
  const ids = source.id_column ? columns.get(source.id_column)!.map((v) => caseIdOf(v)) : labels.map((_, row) => String(row));
  const seen = new Set<string>();
  ids.forEach((id, row) => {
    if (id === null) problems.push(`row ${row}: ${source.id_column} is not a valid case id`);
    else if (seen.has(id)) problems.push(`row ${row}: duplicate case id ${id}`);
    else seen.add(id);
  });
  if (problems.length) {
    throw invalidState(`Dataset ${dataset.dataset_id} cannot be evaluated: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}`, problems.slice(0, 20).map((message) => ({ field: 'dataset', message })));
  }
  const slice_keys = [...source.slice_columns].sort();
  return {
    ids: ids as string[],
    expected,
    inputs: source.input_columns.length ? Array.from({ length: rows }, (_, row) => Object.fromEntries(source.input_columns.map((c) => [c, columns.get(c)![row]]))) : null,
    slice_keys,
    slice_values: slice_keys.map((key) => columns.get(key)!),
    assertions: null,
  };
}
