import { formatFigure, median, speedRatio, summarise } from './report';

describe('vs-mlflow report', () => {
  it('a speed ratio above 1 means ours is faster, for throughput and for time alike', () => {
    expect(speedRatio(500, 100, 'higher')).toBe(5);
    expect(speedRatio(0.5, 1, 'lower')).toBe(2);
    expect(speedRatio(2, 1, 'lower')).toBe(0.5);
    expect(speedRatio(0, 100, 'higher')).toBe(0);
    expect(speedRatio(100, 0, 'higher')).toBeNull();
    expect(speedRatio(0, 1, 'lower')).toBeNull();
    expect(speedRatio(NaN, 1, 'lower')).toBeNull();
  });

  it('summarises each system by the median of its rounds and checks the target on the ratio', () => {
    const rounds = [
      { system: 'ours', round: 1, figure: 900 },
      { system: 'mlflow', round: 1, figure: 100 },
      { system: 'ours', round: 2, figure: 1100 },
      { system: 'mlflow', round: 2, figure: 300 },
    ];
    const summary = summarise(rounds, 'higher', { text: '≥ 5× MLflow', minSpeedRatio: 5 });
    expect(summary).toEqual({ ours: 1000, mlflow: 200, speed_ratio: 5, target: '≥ 5× MLflow', met: true });
    expect(summarise(rounds, 'higher', { text: '≥ 6×', minSpeedRatio: 6 }).met).toBe(false);
  });

  it('checks an absolute bound on our figure when there is no MLflow figure', () => {
    const rounds = [{ system: 'ours', round: 1, figure: 0.8 }];
    expect(summarise(rounds, 'lower', { text: '≤ 1 ms', maxOurs: 1 })).toEqual({ ours: 0.8, mlflow: null, speed_ratio: null, target: '≤ 1 ms', met: true });
    expect(summarise([{ system: 'ours', round: 1, figure: 1.5 }], 'lower', { text: '≤ 1 ms', maxOurs: 1 }).met).toBe(false);
  });

  it('leaves a target unjudged when a side has no figure', () => {
    expect(summarise([{ system: 'ours', round: 1, figure: 10 }], 'higher', { text: '≥ 2×', minSpeedRatio: 2 }).met).toBeNull();
  });

  it('medians and figures', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(formatFigure(12345.6, 'points/s')).toBe('12,346 points/s');
    expect(formatFigure(0.123, 's')).toBe('0.12 s');
    expect(formatFigure(null, 'ms')).toBe('—');
  });
});
