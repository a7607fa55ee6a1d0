import { generate } from 'peggy';
import { mlflowInvalid } from '../mlflow-errors';

/**
 * MLflow's search filter language (`metrics.acc > 0.9 AND params.lr = '0.1' AND tags."a b" LIKE 'x%'`)
 * and its `order_by` clauses, as a PEG grammar compiled once when the module loads.
 */
const GRAMMAR = String.raw`
Filter = _ head:Comparison tail:(__ AND __ @Comparison)* _ { return [head, ...tail]; }
       / _ { return []; }

OrderBy = _ key:Key direction:(__ @Direction)? _ { return { ...key, ascending: direction !== 'DESC' }; }
Direction = direction:$("ASC"i / "DESC"i) !IdentChar { return direction.toUpperCase(); }

Comparison
  = key:Key _ op:NullOp { return { ...key, op }; }
  / key:Key _ op:SetOp _ value:List { return { ...key, op, value }; }
  / key:Key _ op:CompareOp _ value:Value { return { ...key, op, value }; }

AND = "AND"i !IdentChar
NullOp = "IS"i __ "NOT"i __ "NULL"i !IdentChar { return 'IS NOT NULL'; }
       / "IS"i __ "NULL"i !IdentChar { return 'IS NULL'; }
SetOp = "NOT"i __ "IN"i !IdentChar { return 'NOT IN'; }
      / "IN"i !IdentChar { return 'IN'; }
CompareOp = "!=" / "<>" { return '!='; } / ">=" / "<=" / "=" / ">" / "<"
          / "ILIKE"i !IdentChar { return 'ILIKE'; }
          / "LIKE"i !IdentChar { return 'LIKE'; }

Key = entity:Entity "." key:Name { return { entity, key }; }
    / key:Identifier { return { entity: 'attribute', key }; }
Entity = "metrics"i &"." { return 'metric'; } / "metric"i &"." { return 'metric'; }
       / "parameters"i &"." { return 'param'; } / "parameter"i &"." { return 'param'; }
       / "params"i &"." { return 'param'; } / "param"i &"." { return 'param'; }
       / "tags"i &"." { return 'tag'; } / "tag"i &"." { return 'tag'; }
       / "attributes"i &"." { return 'attribute'; } / "attribute"i &"." { return 'attribute'; }
       / "attr"i &"." { return 'attribute'; } / "run"i &"." { return 'attribute'; }
       / "datasets"i &"." { return 'dataset'; } / "dataset"i &"." { return 'dataset'; }
Name = QuotedString / '${'`'}' name:$[^${'`'}]+ '${'`'}' { return name; } / $[A-Za-z0-9_.\-/:]+
Identifier = $([A-Za-z_][A-Za-z0-9_]*)

Value = QuotedString / Number
QuotedString = "'" chars:$("''" / [^'])* "'" { return chars.replace(/''/g, "'"); }
             / '"' chars:$('""' / [^"])* '"' { return chars.replace(/""/g, '"'); }
Number = digits:$("-"? [0-9]+ ("." [0-9]*)? ([eE] [+-]? [0-9]+)?) !IdentChar { return Number(digits); }
List = "(" _ head:Value tail:(_ "," _ @Value)* _ ("," _)? ")" { return [head, ...tail]; }

IdentChar = [A-Za-z0-9_]
_ = [ \t\r\n]*
__ = [ \t\r\n]+
`;

const parser = generate(GRAMMAR, { allowedStartRules: ['Filter', 'OrderBy'] });

export type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';
export type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';
export type FilterValue = string | number | (string | number)[];

export interface Comparison {
  entity: Entity;
  key: string;
  op: Operator;
  value?: FilterValue;
}

export interface OrderClause {
  entity: Entity;
  key: string;
  ascending: boolean;
}

function parse<T>(text: string, startRule: 'Filter' | 'OrderBy', what: string): T {
  try {
    return parser.parse(text, { startRule }) as T;
  } catch (error) {
    const location = (error as { location?: { start: { column: number } } }).location;
    throw mlflowInvalid(`Invalid ${what} ${JSON.stringify(text)}${location ? ` at column ${location.start.column}` : ''}: ${(error as Error).message}`);
  }
}

/** What each searchable thing accepts: which entities and attributes, and which of them compare as numbers. */
export interface SearchVocabulary {
  entities: Entity[];
  numericAttributes: string[];
  stringAttributes: string[];
}

export const RUN_SEARCH: SearchVocabulary = {
  entities: ['metric', 'param', 'tag', 'attribute', 'dataset'],
  numericAttributes: ['start_time', 'end_time', 'created'],
  stringAttributes: ['run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'lifecycle_stage'],
};

export const EXPERIMENT_SEARCH: SearchVocabulary = {
  entities: ['tag', 'attribute'],
  numericAttributes: ['creation_time', 'last_update_time'],
  stringAttributes: ['name', 'experiment_id'],
};

const NUMERIC_OPS: Operator[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING_OPS: Operator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];

function checkComparison(comparison: Comparison, vocabulary: SearchVocabulary): Comparison {
  const { entity, key, op, value } = comparison;
  const where = `${entity} ${JSON.stringify(key)}`;
  if (!vocabulary.entities.includes(entity)) throw mlflowInvalid(`Invalid entity type '${entity}' in this search`);
  const numeric = entity === 'metric' || (entity === 'attribute' && vocabulary.numericAttributes.includes(key));
  if (entity === 'attribute' && !numeric && !vocabulary.stringAttributes.includes(key)) {
    throw mlflowInvalid(`Invalid attribute key '${key}': valid ones are ${[...vocabulary.stringAttributes, ...vocabulary.numericAttributes].join(', ')}`);
  }
  if (op === 'IS NULL' || op === 'IS NOT NULL') {
    if (entity !== 'tag' && entity !== 'param') throw mlflowInvalid(`${op} applies to tags and params, not to ${where}`);
    return comparison;
  }
  if (numeric) {
    if (!NUMERIC_OPS.includes(op)) throw mlflowInvalid(`Invalid comparator '${op}' for ${where}: use one of ${NUMERIC_OPS.join(', ')}`);
    if (typeof value !== 'number') throw mlflowInvalid(`Expected a numeric value for ${where}, got ${JSON.stringify(value)}`);
  } else {
    if (!STRING_OPS.includes(op)) throw mlflowInvalid(`Invalid comparator '${op}' for ${where}: use one of ${STRING_OPS.join(', ')}`);
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v !== 'string')) throw mlflowInvalid(`Expected a quoted string value for ${where}, got ${JSON.stringify(value)}`);
  }
  return comparison;
}

/** A filter's comparisons (joined by AND), checked against what the search accepts. */
export function parseFilter(filter: string | undefined, vocabulary: SearchVocabulary = RUN_SEARCH): Comparison[] {
  if (!filter?.trim()) return [];
  return parse<Comparison[]>(filter, 'Filter', 'filter').map((c) => checkComparison(c, vocabulary));
}

/** One `order_by` clause: `metrics.acc DESC`, `attributes.start_time`, `params.lr ASC`. */
export function parseOrderBy(clause: string, vocabulary: SearchVocabulary = RUN_SEARCH): OrderClause {
  const order = parse<OrderClause>(clause, 'OrderBy', 'order_by clause');
  if (!vocabulary.entities.includes(order.entity) || order.entity === 'dataset') throw mlflowInvalid(`Invalid order_by entity '${order.entity}'`);
  if (order.entity === 'attribute' && ![...vocabulary.stringAttributes, ...vocabulary.numericAttributes].includes(order.key)) {
    throw mlflowInvalid(`Invalid order_by attribute '${order.key}'`);
  }
  return order;
}

/** SQL's LIKE: `%` any run of characters, `_` one character; ILIKE ignores case. */
export function likePattern(pattern: string, caseInsensitive: boolean): RegExp {
  const body = [...pattern].map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

/**
 * Whether a value (undefined when the run or experiment lacks the key) satisfies a comparison.
 * As in MLflow, a missing value satisfies only IS NULL.
 */
export function satisfies(actual: string | number | undefined, comparison: Comparison): boolean {
  const { op, value } = comparison;
  if (op === 'IS NULL') return actual === undefined;
  if (op === 'IS NOT NULL') return actual !== undefined;
  if (actual === undefined) return false;
  switch (op) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    case '>':
      return typeof actual === 'number' && actual > (value as number);
    case '>=':
      return typeof actual === 'number' && actual >= (value as number);
    case '<':
      return typeof actual === 'number' && actual < (value as number);
    case '<=':
      return typeof actual === 'number' && actual <= (value as number);
    case 'LIKE':
    case 'ILIKE':
      return likePattern(String(value), op === 'ILIKE').test(String(actual));
    case 'IN':
      return (value as (string | number)[]).includes(actual);
    case 'NOT IN':
      return !(value as (string | number)[]).includes(actual);
  }
}

/** Orders by the clauses, missing values last whichever the direction (MLflow's NULLS LAST), then by `tiebreak`. */
export function compareBy<T>(
  clauses: OrderClause[],
  valueOf: (item: T, clause: OrderClause) => string | number | undefined,
  tiebreak: (a: T, b: T) => number,
): (a: T, b: T) => number {
  return (a, b) => {
    for (const clause of clauses) {
      const x = valueOf(a, clause);
      const y = valueOf(b, clause);
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      const order = x < y ? -1 : 1;
      return clause.ascending ? order : -order;
    }
    return tiebreak(a, b);
  };
}

/**
 * How a searchable attribute is stored in a read model: its indexed field, and an MLflow value as
 * the stored value it equals — undefined when there is no such value, and then the comparison is
 * left to `satisfies` alone.
 */
export interface StoredAttribute {
  field: string;
  stored: (value: string | number) => unknown;
}

/** An MLflow time (epoch ms) as our stored time: ISO-8601 with four-digit years (the events' date-time), so strings compare in time order. */
export function storedTime(value: string | number): string | undefined {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return undefined;
  const iso = new Date(value).toISOString();
  return /^\d{4}-/.test(iso) ? iso : undefined;
}

/** A value of an exact one-to-one mapping (MLflow's status or stage names to ours); undefined for any other. */
export const storedAs =
  (mapping: Record<string, string>) =>
  (value: string | number): string | undefined =>
    typeof value === 'string' && Object.hasOwn(mapping, value) ? mapping[value] : undefined;

/**
 * The part of a filter MongoDB can answer from an index: equality, IN, NOT IN and ranges on the
 * `attributes` given. Only ever narrows what is read — every comparison is still checked with
 * `satisfies` — so a search stays exact whichever comparisons are pushed down.
 */
export function storeConditions(comparisons: Comparison[], attributes: Record<string, StoredAttribute>): Record<string, unknown>[] {
  const conditions: Record<string, unknown>[] = [];
  for (const { entity, key, op, value } of comparisons) {
    const attribute = entity === 'attribute' && Object.hasOwn(attributes, key) ? attributes[key] : undefined;
    if (!attribute || value === undefined) continue;
    const { field, stored } = attribute;
    if (op === 'IN' || op === 'NOT IN') {
      // A value no stored value equals matches nothing and excludes nothing: it is left out.
      const values = (value as (string | number)[]).map(stored).filter((v) => v !== undefined);
      conditions.push({ [field]: { [op === 'IN' ? '$in' : '$nin']: values } });
      continue;
    }
    const one = stored(value as string | number);
    const condition = one === undefined ? undefined : storeCondition(field, op, one);
    if (condition) conditions.push(condition);
  }
  return conditions;
}

const STORE_OPERATORS: Partial<Record<Operator, string>> = { '=': '$eq', '!=': '$ne', '>': '$gt', '>=': '$gte', '<': '$lt', '<=': '$lte' };

/** One comparison as MongoDB's condition on `field`; undefined for an operator it has no equal of (LIKE, ILIKE, IS NULL). */
export function storeCondition(field: string, op: Operator, value: unknown): Record<string, unknown> | undefined {
  const operator = STORE_OPERATORS[op];
  return operator ? { [field]: { [operator]: value } } : undefined;
}

/** `base` narrowed by the conditions (each on its own, as fields may repeat). */
export const withConditions = (base: Record<string, unknown>, conditions: Record<string, unknown>[]) => (conditions.length ? { ...base, $and: conditions } : base);
