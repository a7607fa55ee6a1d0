import type { DatasetColumn, FeatureDefinition, FeatureScalarType, FeatureSchema, FeatureSource, FeatureValueType } from '@mlops/events';
import { DomainErrorDetail } from '@mlops/event-sourcing';

export interface ParsedType {
  list: boolean;
  element: FeatureScalarType;
}

export const parseValueType = (type: FeatureValueType): ParsedType =>
  type.startsWith('list<') ? { list: true, element: type.slice(5, -1) as FeatureScalarType } : { list: false, element: type as FeatureScalarType };

const NUMERIC: FeatureScalarType[] = ['int32', 'int64', 'float', 'double'];

/**
 * What an old value can be read as without loss of meaning (Avro-style promotion): int32 widens to
 * int64, float and double; int64 to double; float to double; string to bytes.
 */
const WIDENS_TO: Record<FeatureScalarType, FeatureScalarType[]> = {
  bool: [],
  int32: ['int64', 'float', 'double'],
  int64: ['double'],
  float: ['double'],
  double: [],
  string: ['bytes'],
  bytes: [],
  timestamp: [],
};

const scalarReadable = (from: FeatureScalarType, to: FeatureScalarType) => from === to || WIDENS_TO[from].includes(to);

/** Whether every value of type `from` is a value of type `to`; a scalar reads as a list of one, a list never as a scalar. */
export function typeReadable(from: FeatureValueType, to: FeatureValueType): boolean {
  const a = parseValueType(from);
  const b = parseValueType(to);
  if (a.list && !b.list) return false;
  return scalarReadable(a.element, b.element);
}

const show = (value: unknown) => JSON.stringify(value);

/**
 * Backward compatibility of a new version with the previous one: every value valid under the old
 * definition must stay valid under the new one. Narrowed types, nullable true → false, a raised
 * min or lowered max, and removed (or newly introduced) allowed values break it; a changed source
 * does not by itself.
 */
export function compatibility(previous: FeatureDefinition, next: FeatureDefinition): { backward_compatible: boolean; breaking_changes: string[] } {
  const breaking: string[] = [];
  if (!typeReadable(previous.value_type, next.value_type)) {
    breaking.push(`value_type ${previous.value_type} → ${next.value_type}: existing values cannot be read as ${next.value_type}`);
  }
  const before = previous.schema;
  const after = next.schema;
  if (before.nullable && !after.nullable) breaking.push('nullable true → false: null values are no longer allowed');
  if (after.min !== null && (before.min === null || after.min > before.min)) breaking.push(`min ${before.min ?? 'none'} → ${after.min}: the lower bound is tighter`);
  if (after.max !== null && (before.max === null || after.max < before.max)) breaking.push(`max ${before.max ?? 'none'} → ${after.max}: the upper bound is tighter`);
  if (after.allowed_values !== null) {
    if (before.allowed_values === null) {
      breaking.push('allowed_values introduced: values outside the list are no longer allowed');
    } else {
      const kept = new Set(after.allowed_values.map(show));
      const removed = before.allowed_values.filter((value) => !kept.has(show(value)));
      if (removed.length) breaking.push(`allowed values removed: ${removed.map(show).join(', ')}`);
    }
  }
  return { backward_compatible: breaking.length === 0, breaking_changes: breaking };
}

const sortedValues = (values: FeatureSchema['allowed_values']) => (values === null ? null : values.map(show).sort());

const sameSource = (a: FeatureSource, b: FeatureSource) =>
  a.kind === b.kind && a.dataset_id === b.dataset_id && (a.kind === 'column' ? a.column === (b as typeof a).column : a.expression === (b as typeof a).expression);

/** Whether two definitions are the same (allowed values compared as a set). */
export function sameDefinition(a: FeatureDefinition, b: FeatureDefinition): boolean {
  return (
    a.value_type === b.value_type &&
    a.schema.nullable === b.schema.nullable &&
    a.schema.min === b.schema.min &&
    a.schema.max === b.schema.max &&
    show(sortedValues(a.schema.allowed_values)) === show(sortedValues(b.schema.allowed_values)) &&
    sameSource(a.source, b.source)
  );
}

const INT_RANGE: Partial<Record<FeatureScalarType, [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function valueFits(element: FeatureScalarType, value: string | number | boolean): boolean {
  switch (element) {
    case 'bool':
      return typeof value === 'boolean';
    case 'string':
    case 'bytes':
      return typeof value === 'string';
    case 'timestamp':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
    default: {
      if (typeof value !== 'number') return false;
      const range = INT_RANGE[element];
      return range ? Number.isInteger(value) && value >= range[0] && value <= range[1] : true;
    }
  }
}

/** Constraints that do not fit the value type (min/max on text, allowed values of another type, min > max). */
export function definitionErrors(definition: FeatureDefinition): DomainErrorDetail[] {
  const { element } = parseValueType(definition.value_type);
  const { min, max, allowed_values } = definition.schema;
  const errors: DomainErrorDetail[] = [];
  if ((min !== null || max !== null) && !NUMERIC.includes(element)) {
    errors.push({ field: 'schema', message: `min and max apply to numeric value types only, not ${definition.value_type}` });
  }
  if (min !== null && max !== null && min > max) errors.push({ field: 'schema.min', message: `min ${min} is greater than max ${max}` });
  const misfits = (allowed_values ?? []).filter((value) => !valueFits(element, value));
  if (misfits.length) {
    errors.push({ field: 'schema.allowed_values', message: `not ${element} values: ${misfits.slice(0, 10).map(show).join(', ')}` });
  }
  return errors;
}

/** Why a source cannot back the feature: its dataset is not registered, or it has no such column. */
export function sourceErrors(definition: FeatureDefinition, datasetSchema: DatasetColumn[] | null): DomainErrorDetail[] {
  const { source } = definition;
  if (datasetSchema === null) return [{ field: 'source.dataset_id', message: `dataset ${source.dataset_id} is not registered` }];
  if (source.kind !== 'column') return [];
  const column = datasetSchema.find((c) => c.column === source.column);
  if (!column) return [{ field: 'source.column', message: `column ${show(source.column)} does not exist in dataset ${source.dataset_id}` }];
  return sourceTypeErrors(definition.value_type, column.type, 'source.column');
}

/** DuckDB column types whose every value a feature of the scalar type can hold without loss of range. */
const HOLDS: Record<FeatureScalarType, RegExp> = {
  bool: /^BOOLEAN$/,
  int32: /^(U?TINYINT|U?SMALLINT|INTEGER)$/,
  int64: /^(U?TINYINT|U?SMALLINT|U?INTEGER|BIGINT)$/,
  float: /^(FLOAT|U?TINYINT|U?SMALLINT|DECIMAL\(\d+,\d+\))$/,
  double: /^(FLOAT|DOUBLE|U?TINYINT|U?SMALLINT|U?INTEGER|DECIMAL\(\d+,\d+\))$/,
  string: /^(VARCHAR|UUID|JSON|ENUM\(.*\))$/,
  bytes: /^(BLOB|VARCHAR)$/,
  timestamp: /^(DATE|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE)$/,
};

/** Whether a feature of `valueType` can hold every value of a DuckDB column (or expression) of `duckdbType`. */
export function holdsDuckDbType(valueType: FeatureValueType, duckdbType: string): boolean {
  const { list, element } = parseValueType(valueType);
  const listOf = /^(.*)\[\d*\]$/.exec(duckdbType);
  if (list !== (listOf !== null)) return false;
  return HOLDS[element].test(listOf ? listOf[1] : duckdbType);
}

/** 422 details when the source's DuckDB type does not fit the feature's value type. */
export function sourceTypeErrors(valueType: FeatureValueType, duckdbType: string, field: string): DomainErrorDetail[] {
  return holdsDuckDbType(valueType, duckdbType) ? [] : [{ field, message: `a ${valueType} feature cannot hold the source's DuckDB type ${duckdbType}` }];
}
