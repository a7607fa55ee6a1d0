import { parseLabels, parsePredictions, parseThresholds, thresholdsText } from './evaluation';
import { featureVersionDiff, type FeatureVersion } from './feature-store';
import { findingSpans, type Finding, templateText } from './prompt-governance';

describe('predictions from an upload', () => {
  it('reads a CSV with typed cells, ids kept as text and proba: columns as probabilities', () => {
    const csv = 'id,label,score,proba:a,proba:b\n007,1,0.91,0.2,0.8\n"x,1",true,,0.5,0.5\n';
    expect(parsePredictions(csv, 'csv')).toEqual([
      { id: '007', label: 1, score: 0.91, probabilities: { a: 0.2, b: 0.8 } },
      { id: 'x,1', label: true, probabilities: { a: 0.5, b: 0.5 } },
    ]);
  });

  it('refuses a CSV without an id column and JSON that is not an array', () => {
    expect(() => parsePredictions('label,score\n1,0.5\n', 'csv')).toThrow(/id/);
    expect(() => parsePredictions('{"id": "c1"}', 'json')).toThrow(/array/);
  });
});

describe('a scenario gate and labels as the forms write them', () => {
  it('reads min and max bounds per metric, and writes them back the same way', () => {
    const gate = parseThresholds('f1 >= 0.7, log_loss <= 0.5; accuracy ≥ 0.9\nf1 <= 1');
    expect(gate).toEqual({ f1: { min: 0.7, max: 1 }, log_loss: { max: 0.5 }, accuracy: { min: 0.9 } });
    expect(thresholdsText([{ metric: 'f1', min: 0.7, max: 1 }, { metric: 'log_loss', min: null, max: 0.5 }])).toBe('f1 >= 0.7, f1 <= 1, log_loss <= 0.5');
    expect(parseThresholds('')).toEqual({});
  });

  it('names the part it cannot read', () => {
    expect(() => parseThresholds('f1 > 0.7')).toThrow(/“f1 > 0.7”/);
    expect(() => parseThresholds('f1 >= high')).toThrow(/f1 >= high/);
  });

  it('types numeric and boolean labels, keeps the rest as text', () => {
    expect(parseLabels('0, 1, true, yes, 2.5')).toEqual([0, 1, true, 'yes', 2.5]);
  });
});

describe('feature version diff', () => {
  const v1 = {
    version: 1,
    value_type: 'double',
    schema: { nullable: true, min: null, max: null, allowed_values: null },
    source: { kind: 'column', dataset_id: 'transactions', column: 'amount' },
  } as FeatureVersion;

  it('names each changed field with both values, and nothing else', () => {
    const v2 = { ...v1, version: 2, value_type: 'float', schema: { ...v1.schema, nullable: false, min: 0 } } as FeatureVersion;
    expect(featureVersionDiff(v1, v2)).toEqual([
      { field: 'value_type', from: 'double', to: 'float' },
      { field: 'schema.nullable', from: 'true', to: 'false' },
      { field: 'schema.min', from: '—', to: '0' },
    ]);
    expect(featureVersionDiff(v1, { ...v1, version: 2 })).toEqual([]);
  });
});

describe('prompt text and findings', () => {
  const finding = (start: number | null, end: number | null, message: number | null = null, test_case: number | null = null): Finding => ({
    check: 'pii_email',
    severity: 'warning',
    message: 'E-mail',
    location: { start, end, message, test_case },
  });

  it('shows chat messages as role-headed blocks', () => {
    expect(templateText('Hi {{name}}')).toBe('Hi {{name}}');
    expect(templateText([{ role: 'system', content: 'Be brief' }, { role: 'user', content: '{{q}}' }])).toBe('[system]\nBe brief\n\n[user]\n{{q}}');
  });

  it('keeps only the findings located in the text (or the message) asked for, in order', () => {
    const spans = findingSpans([finding(10, 20), finding(2, 5), finding(null, null), finding(0, 3, 1), finding(0, 3, null, 0)]);
    expect(spans.map((s) => [s.start, s.end])).toEqual([
      [2, 5],
      [10, 20],
    ]);
    expect(findingSpans([finding(0, 3, 1)], 1)).toHaveLength(1);
  });
});
