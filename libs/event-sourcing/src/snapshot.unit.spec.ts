import fc from 'fast-check';
import { Decider } from './decider';
import { foldThroughSnapshot, isPlainJson, roundTripState, snapshotDivergences } from './snapshot';

describe('snapshot state serialization', () => {
  it('accepts any JSON value and gives it back', () => {
    fc.assert(
      fc.property(fc.jsonValue({ noUnicodeString: false }), (value) => {
        expect(isPlainJson(value)).toBe(true);
        expect(roundTripState(value)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it.each([
    ['a Map', { seen: new Map([['a', 1]]) }],
    ['a Set', { seen: new Set(['a']) }],
    ['a Date', { at: new Date(0) }],
    ['NaN', { value: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['undefined in an array', [1, undefined]],
    ['a class instance', { error: new Error('x') }],
    ['a function', { f: () => 1 }],
    ['a bigint', { n: BigInt(1) }],
  ])('refuses a state holding %s, so it is never snapshotted', (_label, state) => {
    expect(isPlainJson(state)).toBe(false);
    expect(roundTripState(state)).toBeNull();
  });

  it('drops undefined properties, which read the same either way', () => {
    expect(roundTripState({ a: 1, b: undefined })).toEqual({ a: 1 });
  });

  it('reports a decider whose state does not survive a snapshot', () => {
    const counter: Decider<never, { type: 'Seen'; data: { key: string } }, { seen: Map<string, number> }> = {
      decide: () => [],
      evolve: (state, event) => ({ seen: new Map(state.seen).set(event.data.key, (state.seen.get(event.data.key) ?? 0) + 1) }),
      initialState: () => ({ seen: new Map() }),
    };
    expect(foldThroughSnapshot(counter, [{ type: 'Seen', data: { key: 'a' } }], 1)).toBeNull();
  });

  it('finds where a load through a snapshot would diverge from the whole fold', () => {
    type Counted = { type: 'Counted'; data: { n: number } };
    const summer: Decider<never, Counted, { total: number }> = {
      decide: () => [],
      evolve: (state, event) => ({ total: state.total + event.data.n }),
      initialState: () => ({ total: 0 }),
    };
    const log: Counted[] = [1, 2, 3].map((n) => ({ type: 'Counted', data: { n } }));
    expect(snapshotDivergences(summer, log)).toEqual([]);
    // -0 reads back as 0: a decider that told them apart would diverge where the state was still -0.
    const signed: Decider<never, Counted, { total: number }> = {
      decide: () => [],
      evolve: (state, event) => ({ total: Object.is(state.total, -0) ? 100 : state.total + event.data.n }),
      initialState: () => ({ total: -0 }),
    };
    expect(snapshotDivergences(signed, log)).toEqual([0]);
  });
});
