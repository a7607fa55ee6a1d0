import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional, Matches } from 'class-validator';
import type { ChatMessage } from '@mlops/events';
import { custom, isPlainObject } from '@mlops/platform';

/** The rules a template's id, labels, body, settings and variables follow, shared by the requests that carry them. */
export const TEMPLATE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const LABEL = /^[a-z][a-z0-9_-]{0,62}$/;
export const VARIABLE = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const ROLES: ChatMessage['role'][] = ['system', 'user', 'assistant', 'tool'];
const MAX_TEXT = 200_000;
const MAX_MESSAGE = 100_000;
const MAX_MESSAGES = 100;
const MAX_CONFIG_JSON = 20_000;

/** A text template (one string) or a chat template (1–100 `{role, content}` messages, nothing else). */
export const IsTemplateBody = () =>
  custom('isTemplateBody', `must be a string of at most ${MAX_TEXT} characters or 1-${MAX_MESSAGES} messages {role: ${ROLES.join('|')}, content: string}`, (value) => {
    if (typeof value === 'string') return value.length <= MAX_TEXT;
    if (!Array.isArray(value) || value.length < 1 || value.length > MAX_MESSAGES) return false;
    return value.every(
      (m) =>
        isPlainObject(m) &&
        Object.keys(m).every((k) => k === 'role' || k === 'content') &&
        ROLES.includes(m.role as ChatMessage['role']) &&
        typeof m.content === 'string' &&
        m.content.length <= MAX_MESSAGE,
    );
  });

/** Any JSON object (model settings), at most 20,000 characters serialised. */
export const IsConfigObject = () =>
  custom('isConfigObject', `must be a JSON object of at most ${MAX_CONFIG_JSON} characters`, (value) => isPlainObject(value) && JSON.stringify(value).length <= MAX_CONFIG_JSON);

/**
 * Variables for a render or a test case: an object of name → value, kept as parsed — class-transformer
 * would drop keys named like `Object.prototype` methods (`toString`, `hasOwnProperty`), valid variable names.
 */
export const IsVariables = () => (target: object, propertyName: string) => {
  Transform(({ obj }) => (obj as Record<string, unknown>)[propertyName])(target, propertyName);
  custom('isVariables', 'must be an object of variable name → value', (value) => isPlainObject(value) && Object.keys(value).length <= 200 && JSON.stringify(value).length <= 200_000)(
    target,
    propertyName,
  );
};

export const OptionalVariableNames = () => (target: object, propertyName: string) => {
  IsOptional()(target, propertyName);
  IsArray()(target, propertyName);
  ArrayMaxSize(200)(target, propertyName);
  ArrayUnique()(target, propertyName);
  Matches(VARIABLE, { each: true, message: `${propertyName} must be variable names (${VARIABLE.source})` })(target, propertyName);
};

/** The OpenAPI shape IsTemplateBody accepts. */
export const TEMPLATE_BODY_SCHEMA = {
  oneOf: [
    { type: 'string', maxLength: MAX_TEXT, example: 'Answer the customer question: {{question}}' },
    {
      type: 'array',
      minItems: 1,
      maxItems: MAX_MESSAGES,
      items: { type: 'object', required: ['role', 'content'], properties: { role: { enum: ROLES }, content: { type: 'string' } } },
    },
  ],
};

