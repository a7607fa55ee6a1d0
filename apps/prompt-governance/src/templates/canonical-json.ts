import { configure } from 'safe-stable-stringify';

const stableStringify = configure({ deterministic: true, circularValue: TypeError, bigint: false });

/** Canonical JSON: object keys sorted, so equal variables hash equally whatever their order. */
export const canonicalJson = (value: unknown): string => stableStringify(value) as string;
