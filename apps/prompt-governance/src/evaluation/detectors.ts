import { electronicFormatIBAN, isValidIBAN } from 'ibantools';

/** A match in a text: where it is and what it is (the value stays in memory; findings mask it). */
export interface Match {
  start: number;
  end: number;
  value: string;
}

const all = (text: string, pattern: RegExp): Match[] =>
  [...text.matchAll(pattern)].map((m) => ({ start: m.index!, end: m.index! + m[0].length, value: m[0] }));

const overlaps = (a: Match, others: Match[]) => others.some((b) => a.start < b.end && b.start < a.end);

export const digitsOf = (value: string) => value.replace(/\D/g, '');

/** The Luhn (mod 10) checksum card numbers carry. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const EMAIL = /(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])/g;
export const findEmails = (text: string) => all(text, EMAIL);

/** 13–19 digits, optionally grouped by spaces or dashes, passing Luhn. */
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
export const findCreditCards = (text: string) => all(text, CARD).filter((m) => luhnValid(digitsOf(m.value)));

/** Country code, check digits, then 11–30 capitals or digits, optionally grouped by spaces; validated by ibantools. */
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g;
export function findIbans(text: string): Match[] {
  const valid = (value: string) => {
    const electronic = electronicFormatIBAN(value);
    return electronic !== null && isValidIBAN(electronic);
  };
  return all(text, IBAN).flatMap((m) => {
    // A greedy match may run into the next word in capitals: drop trailing groups until it validates.
    for (let value = m.value; value.length >= 15; value = value.slice(0, Math.max(0, value.lastIndexOf(' ')))) {
      if (valid(value)) return [{ start: m.start, end: m.start + value.length, value }];
      if (!value.includes(' ')) break;
    }
    return [];
  });
}

/**
 * Phone numbers: an optional +country code, an optional (area code), then 2–4 digit groups
 * separated by a space, dot or dash — 9 to 15 digits in all (E.164 allows at most 15). Card numbers
 * and IBANs found in the same text are not reported again as phones.
 */
const PHONE = /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,5}(?![\w])/g;
export function findPhones(text: string): Match[] {
  const taken = [...findCreditCards(text), ...findIbans(text)];
  return all(text, PHONE).filter((m) => {
    const count = digitsOf(m.value).length;
    return count >= 9 && count <= 15 && !overlaps(m, taken) && !/^\d{4}-\d{2}-\d{2}$/.test(m.value);
  });
}

/** Phrases that try to override the instructions a model was given. */
const INJECTION_PATTERNS: RegExp[] = [
  /\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above|earlier|preceding|system|original)\s+(?:instructions?|prompts?|rules|directions|messages?|context)\b/gi,
  /\bforget\s+(?:everything|all)\s+(?:you\s+(?:were|have\s+been)\s+told|above|before)\b/gi,
  /\b(?:reveal|print|show|repeat|output|leak)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+prompt|hidden\s+(?:prompt|instructions)|initial\s+instructions)\b/gi,
  /\byou\s+are\s+now\s+(?:DAN|in\s+developer\s+mode|jailbroken|unrestricted|free\s+of\s+(?:all\s+)?restrictions)\b/gi,
  /\b(?:act|respond|answer)\s+as\s+if\s+(?:you\s+have|there\s+are)\s+no\s+(?:rules|restrictions|guidelines|filters)\b/gi,
  /\bdo\s+anything\s+now\b/gi,
  /\bnew\s+instructions\s*:/gi,
];
export function findInjectionPhrases(text: string): Match[] {
  return INJECTION_PATTERNS.flatMap((pattern) => all(text, pattern)).sort((a, b) => a.start - b.start);
}

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Banned terms, case-insensitively, as whole words (a term inside a longer word is not a match). */
export function findBannedTerms(text: string, terms: string[]): (Match & { term: string })[] {
  return terms
    .flatMap((term) => all(text, new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(term)}(?![\\p{L}\\p{N}_])`, 'giu')).map((m) => ({ ...m, term })))
    .sort((a, b) => a.start - b.start);
}

/** What a finding may say about a match without repeating personal data. */
export function mask(value: string): string {
  const compact = value.replace(/\s/g, '');
  if (compact.includes('@')) {
    const [local, domain] = compact.split('@');
    return `${local[0]}***@${domain}`;
  }
  return `${'*'.repeat(Math.max(0, compact.length - 4))}${compact.slice(-4)}`;
}
