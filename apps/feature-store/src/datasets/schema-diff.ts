import type { DatasetColumn, DatasetSchemaChangedData } from '@mlops/events';

export type SchemaDiff = Pick<DatasetSchemaChangedData, 'added' | 'removed' | 'retyped'>;

/** Columns added, removed or retyped between two schemas, by column name (order changes alone are no change). */
export function diffSchema(before: DatasetColumn[], after: DatasetColumn[]): SchemaDiff {
  const old = new Map(before.map((c) => [c.column, c.type]));
  const next = new Map(after.map((c) => [c.column, c.type]));
  return {
    added: after.filter((c) => !old.has(c.column)),
    removed: before.filter((c) => !next.has(c.column)),
    retyped: after.filter((c) => old.has(c.column) && old.get(c.column) !== c.type).map((c) => ({ column: c.column, from: old.get(c.column)!, to: c.type })),
  };
}

export const isUnchanged = (diff: SchemaDiff) => !diff.added.length && !diff.removed.length && !diff.retyped.length;
