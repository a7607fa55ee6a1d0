import { MlflowError } from '../mlflow-errors';
import { RUN_STORED_ATTRIBUTES } from './mlflow-tracking';
import { compareBy, EXPERIMENT_SEARCH, likePattern, parseFilter, parseOrderBy, satisfies, storeConditions, storedTime, withConditions } from './search-filter';

const invalid = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof MlflowError ? error.code : error;
  }
  return 'no error';
};

describe("MLflow's search filter language", () => {
  it('parses comparisons joined by AND, over every entity and its aliases', () => {
    expect(
      parseFilter(`metrics.acc > 0.9 AND params.lr = '0.1' and tag."mlflow.runName" LIKE 'x%' AND attributes.status IN ('FINISHED', 'RUNNING')`),
    ).toEqual([
      { entity: 'metric', key: 'acc', op: '>', value: 0.9 },
      { entity: 'param', key: 'lr', op: '=', value: '0.1' },
      { entity: 'tag', key: 'mlflow.runName', op: 'LIKE', value: 'x%' },
      { entity: 'attribute', key: 'status', op: 'IN', value: ['FINISHED', 'RUNNING'] },
    ]);
    expect(parseFilter('run_name != "a b" AND metric.`my metric` <= -1e3 AND tags.t IS NOT NULL AND parameter.p NOT IN (\'x\')')).toEqual([
      { entity: 'attribute', key: 'run_name', op: '!=', value: 'a b' },
      { entity: 'metric', key: 'my metric', op: '<=', value: -1000 },
      { entity: 'tag', key: 't', op: 'IS NOT NULL' },
      { entity: 'param', key: 'p', op: 'NOT IN', value: ['x'] },
    ]);
    expect(parseFilter(`tags.note = 'it''s'`)).toEqual([{ entity: 'tag', key: 'note', op: '=', value: "it's" }]);
    expect(parseFilter('tags.mlflow.source.type = "LOCAL"')).toEqual([{ entity: 'tag', key: 'mlflow.source.type', op: '=', value: 'LOCAL' }]);
  });

  it('reads an empty or blank filter as no condition', () => {
    expect(parseFilter(undefined)).toEqual([]);
    expect(parseFilter('   ')).toEqual([]);
  });

  it.each([
    ['a syntax error', 'metrics.acc >'],
    ['OR, which MLflow does not support', "params.a = '1' OR params.b = '2'"],
    ['a string compared with a metric', "metrics.acc > 'high'"],
    ['a number compared with a param', 'params.lr = 0.1'],
    ['LIKE on a metric', "metrics.acc LIKE '1%'"],
    ['> on a tag', "tags.t > 'a'"],
    ['an unknown attribute', "attributes.colour = 'red'"],
    ['a number compared with start_time as a string', "attributes.start_time > '1'"],
  ])('refuses %s with INVALID_PARAMETER_VALUE', (_label, filter) => {
    expect(invalid(() => parseFilter(filter))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('checks what an experiment search accepts: name, times and tags, no metrics', () => {
    expect(parseFilter("name LIKE 'churn-%' AND tags.team = 'risk'", EXPERIMENT_SEARCH)).toHaveLength(2);
    expect(invalid(() => parseFilter('metrics.acc > 1', EXPERIMENT_SEARCH))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('parses order_by clauses: ascending unless DESC', () => {
    expect(parseOrderBy('metrics.acc DESC')).toEqual({ entity: 'metric', key: 'acc', ascending: false });
    expect(parseOrderBy('attributes.start_time')).toEqual({ entity: 'attribute', key: 'start_time', ascending: true });
    expect(parseOrderBy('params.`learning rate` asc')).toEqual({ entity: 'param', key: 'learning rate', ascending: true });
    expect(invalid(() => parseOrderBy('metrics.acc SIDEWAYS'))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('compares as SQL does: LIKE patterns, ILIKE ignoring case, missing values only for IS NULL', () => {
    expect(likePattern('a_c%', false).test('abcdef')).toBe(true);
    expect(likePattern('a.c', false).test('abc')).toBe(false);
    expect(satisfies('Alpha', { entity: 'tag', key: 't', op: 'ILIKE', value: 'alp%' })).toBe(true);
    expect(satisfies('Alpha', { entity: 'tag', key: 't', op: 'LIKE', value: 'alp%' })).toBe(false);
    expect(satisfies(undefined, { entity: 'metric', key: 'm', op: '!=', value: 1 })).toBe(false);
    expect(satisfies(undefined, { entity: 'tag', key: 't', op: 'IS NULL' })).toBe(true);
    expect(satisfies(0.95, { entity: 'metric', key: 'm', op: '>', value: 0.9 })).toBe(true);
    expect(satisfies('b', { entity: 'param', key: 'p', op: 'NOT IN', value: ['a', 'c'] })).toBe(true);
  });

  it('orders by each clause in turn, missing values last in both directions, then by the tiebreak', () => {
    const items: { id: string; m?: number }[] = [
      { id: 'a', m: 2 },
      { id: 'b', m: undefined },
      { id: 'c', m: 5 },
      { id: 'd', m: 2 },
    ];
    const byId = (x: (typeof items)[number], y: (typeof items)[number]) => (x.id < y.id ? -1 : 1);
    const sorted = (ascending: boolean) =>
      [...items].sort(compareBy([{ entity: 'metric', key: 'm', ascending }], (item) => item.m, byId)).map((item) => item.id);
    expect(sorted(true)).toEqual(['a', 'd', 'c', 'b']);
    expect(sorted(false)).toEqual(['c', 'a', 'd', 'b']);
  });
});

describe('the part of a filter MongoDB answers', () => {
  const conditions = (filter: string) => storeConditions(parseFilter(filter), RUN_STORED_ATTRIBUTES);

  it('pushes equality, sets and ranges on stored attributes, as stored values', () => {
    expect(conditions(`attributes.status = 'FINISHED' AND attributes.start_time >= 1700000000000 AND attributes.start_time < 1700000005000`)).toEqual([
      { status: { $eq: 'completed' } },
      { start_time: { $gte: '2023-11-14T22:13:20.000Z' } },
      { start_time: { $lt: '2023-11-14T22:13:25.000Z' } },
    ]);
    expect(conditions(`run_id IN ('a', 'b') AND attributes.status NOT IN ('KILLED')`)).toEqual([{ _id: { $in: ['run:a', 'run:b'] } }, { status: { $nin: ['killed'] } }]);
    expect(withConditions({ experiment_name: 'x' }, conditions(`attributes.status != 'RUNNING'`))).toEqual({ experiment_name: 'x', $and: [{ status: { $ne: 'running' } }] });
  });

  it('leaves to the in-memory check what the store cannot answer exactly', () => {
    // Metrics, params, tags, LIKE and names are not indexed; SCHEDULED is never a stored status; a fractional time equals no stored one.
    expect(conditions(`metrics.acc > 0.9 AND params.lr = '0.1' AND tags.t LIKE 'a%' AND attributes.run_name = 'r' AND attributes.status = 'SCHEDULED' AND attributes.start_time > 1.5`)).toEqual([]);
    // A value no run can have matches nothing in a set, and excludes nothing from one.
    expect(conditions(`attributes.status IN ('SCHEDULED')`)).toEqual([{ status: { $in: [] } }]);
    expect(conditions(`attributes.status NOT IN ('SCHEDULED', 'FAILED')`)).toEqual([{ status: { $nin: ['failed'] } }]);
    expect(withConditions({ a: 1 }, [])).toEqual({ a: 1 });
  });

  it('compares stored times as strings only within four-digit years, where strings sort as times', () => {
    expect(storedTime(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(storedTime(253402300800000)).toBeUndefined(); // year 10000
    expect(storedTime(-62198755200001)).toBeUndefined(); // before year 0
    expect(storedTime('1700000000000')).toBeUndefined();
    const times = [-62167219200000, 0, 1, 1700000000000, 253402300799999];
    const sorted = times.map((t) => storedTime(t)!);
    expect([...sorted].sort()).toEqual(sorted);
  });
});

