import type { EvaluationFinding, FindingSeverity, PromptTemplateBody } from '@mlops/events';
import { missingVariables, placeholdersOf, render, textsOf } from '../templates/prompt-text';
import { Assertion, explainAssertion } from '@mlops/assertions';
import { findBannedTerms, findCreditCards, findEmails, findIbans, findInjectionPhrases, findPhones, mask, Match } from './detectors';

export interface TestCase {
  variables: Record<string, unknown>;
  /** The model's output for these variables, which the assertions check. */
  output?: string;
  assertions: Assertion[];
}

export interface EvaluationSettings {
  banned_terms: string[];
  max_tokens: number;
  pass_score: number;
}

export interface EvaluationResult {
  score: number;
  passed: boolean;
  pass_score: number;
  approx_tokens: number;
  test_cases: { total: number; passed: number };
  findings: EvaluationFinding[];
}

/** Points an evaluation loses per finding: errors weigh most; info costs nothing. */
export const PENALTY: Record<FindingSeverity, number> = { error: 25, warning: 10, info: 0 };
export const MAX_FINDINGS = 1000;

/** Approximate tokens: about four characters per token for English text. */
export const approxTokens = (body: PromptTemplateBody) => Math.ceil(textsOf(body).reduce((n, text) => n + text.length, 0) / 4);

const at = (message: number | null, match?: Pick<Match, 'start' | 'end'>, testCase: number | null = null) => ({
  message,
  test_case: testCase,
  start: match?.start ?? null,
  end: match?.end ?? null,
});

/**
 * The deterministic checks of a template version: declared vs used variables, empty or oversized,
 * banned terms, personal data (e-mail, phone, card numbers passing Luhn, IBAN), prompt-injection
 * phrases, and test cases whose assertions run against the supplied outputs. Score = 100 minus
 * the penalties, at least 0; it passes with no error and a score of at least `pass_score`.
 */
export function evaluateTemplate(
  body: PromptTemplateBody,
  declared: string[] | null,
  testCases: TestCase[],
  settings: EvaluationSettings,
): EvaluationResult {
  const findings: EvaluationFinding[] = [];
  const add = (check: string, severity: FindingSeverity, message: string, location: EvaluationFinding['location']) =>
    findings.push({ check, severity, message, location });
  const texts = textsOf(body);
  const messageIndex = (i: number) => (typeof body === 'string' ? null : i);

  if (texts.every((text) => text.trim() === '')) add('empty_template', 'error', 'The template is empty', at(null));
  texts.forEach((text, i) => {
    if (typeof body !== 'string' && text.trim() === '' && texts.some((t) => t.trim() !== '')) add('empty_message', 'warning', `Message ${i} is empty`, at(i));
  });

  const tokens = approxTokens(body);
  if (tokens > settings.max_tokens) {
    add('oversized', 'error', `About ${tokens} tokens, over the limit of ${settings.max_tokens}`, at(null));
  } else if (tokens > 0.8 * settings.max_tokens) {
    add('oversized', 'warning', `About ${tokens} tokens, over 80% of the limit of ${settings.max_tokens}`, at(null));
  }

  const { variables } = placeholdersOf(body);
  if (declared) {
    for (const name of declared.filter((n) => !variables.includes(n))) add('unused_variable', 'warning', `Declared variable ${name} is not used`, at(null));
    for (const name of variables.filter((n) => !declared.includes(n))) add('undeclared_variable', 'error', `Variable ${name} is used but not declared`, at(null));
  }

  texts.forEach((text, i) => {
    for (const m of findBannedTerms(text, settings.banned_terms)) add('banned_term', 'error', `Banned term "${m.term}"`, at(messageIndex(i), m));
    for (const m of findCreditCards(text)) add('pii_credit_card', 'error', `Card number ${mask(m.value)}`, at(messageIndex(i), m));
    for (const m of findIbans(text)) add('pii_iban', 'error', `IBAN ${mask(m.value)}`, at(messageIndex(i), m));
    for (const m of findEmails(text)) add('pii_email', 'warning', `E-mail address ${mask(m.value)}`, at(messageIndex(i), m));
    for (const m of findPhones(text)) add('pii_phone', 'warning', `Phone number ${mask(m.value)}`, at(messageIndex(i), m));
    for (const m of findInjectionPhrases(text)) add('prompt_injection', 'error', `Prompt-injection phrase "${m.value}"`, at(messageIndex(i), m));
  });

  let passedCases = 0;
  testCases.forEach((testCase, i) => {
    const missing = missingVariables(body, testCase.variables);
    if (missing.length) {
      add('test_case_variables', 'error', `Test case ${i} is missing variables: ${missing.join(', ')}`, at(null, undefined, i));
      return;
    }
    render(body, testCase.variables);
    if (testCase.assertions.length && testCase.output === undefined) {
      add('test_case_output', 'error', `Test case ${i} has assertions but no output to check`, at(null, undefined, i));
      return;
    }
    let ok = true;
    testCase.assertions.forEach((assertion, j) => {
      const result = explainAssertion(testCase.output!, assertion);
      if (!result.pass) {
        ok = false;
        add('assertion_failed', 'error', `Test case ${i}, assertion ${j} (${assertion.type}): ${result.reason}`, at(null, undefined, i));
      }
    });
    if (ok) passedCases++;
  });

  const penalty = findings.reduce((n, f) => n + PENALTY[f.severity], 0);
  const score = Math.max(0, 100 - penalty);
  const errors = findings.some((f) => f.severity === 'error');
  if (findings.length > MAX_FINDINGS) {
    findings.splice(MAX_FINDINGS - 1);
    add('truncated', 'info', `Only the first ${MAX_FINDINGS - 1} findings are listed`, at(null));
  }
  return {
    score,
    passed: !errors && score >= settings.pass_score,
    pass_score: settings.pass_score,
    approx_tokens: tokens,
    test_cases: { total: testCases.length, passed: passedCases },
    findings,
  };
}
