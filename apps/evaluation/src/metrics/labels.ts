/** A class label as clients send it; one type per scenario, as scikit-learn requires. */
export type Label = string | number | boolean;

/** Classes in scikit-learn's order (np.unique): numbers ascending, strings by code point, false before true. */
export function sortLabels(labels: Iterable<Label>): Label[] {
  const unique = [...new Map([...labels].map((label) => [labelKey(label), label])).values()];
  return unique.sort((a, b) => {
    if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    return Number(a) - Number(b);
  });
}

/** Identity of a label across types: 1 and "1" are different classes. */
export const labelKey = (label: Label) => `${typeof label}:${String(label)}`;

export function labelType(labels: Iterable<Label>): 'string' | 'number' | 'boolean' | 'mixed' | 'none' {
  const types = new Set([...labels].map((label) => typeof label));
  if (types.size === 0) return 'none';
  if (types.size > 1) return 'mixed';
  return [...types][0] as 'string' | 'number' | 'boolean';
}
