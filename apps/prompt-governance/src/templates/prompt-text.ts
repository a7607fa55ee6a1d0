import Mustache from 'mustache';
import { invalidInput } from '@mlops/event-sourcing';
import type { ChatMessage, PromptTemplateBody } from '@mlops/events';

type Token = [type: string, value: string, start: number, end: number, ...rest: unknown[]];

/** The texts a template consists of: one for a text template, one per message for a chat template. */
export const textsOf = (body: PromptTemplateBody): string[] => (typeof body === 'string' ? [body] : body.map((m) => m.content));

function parse(text: string, where: string): Token[] {
  try {
    return Mustache.parse(text) as unknown as Token[];
  } catch (error) {
    throw invalidInput(`The template is not valid mustache: ${(error as Error).message}`, [{ field: where, message: (error as Error).message }]);
  }
}

/**
 * Top-level placeholders of a template: `{{name}}`, `{{{raw}}}`, `{{&raw}}` are required;
 * sections `{{#flag}}…{{/flag}}` / `{{^flag}}` are optional (absent = false). Names inside a section
 * resolve against the section's value, so only the section name is listed; `a.b` lists `a`.
 */
export function placeholdersOf(body: PromptTemplateBody): { variables: string[]; required: string[] } {
  const variables = new Set<string>();
  const required = new Set<string>();
  textsOf(body).forEach((text, index) => {
    for (const [type, value] of parse(text, typeof body === 'string' ? 'template' : `template.${index}.content`)) {
      if (!['name', '&', '{', '#', '^'].includes(type) || value === '.') continue;
      const root = value.split('.')[0];
      variables.add(root);
      if (type !== '#' && type !== '^') required.add(root);
    }
  });
  return { variables: [...variables].sort(), required: [...required].sort() };
}

export type Rendered = string | ChatMessage[];

/**
 * Names no template may use: the HTTP layer strips `__proto__` and `constructor` keys from every
 * body (a prototype-pollution guard), so no render could ever supply them.
 */
export const RESERVED_VARIABLES = ['__proto__', 'constructor'];

/** A variable's value only if the caller gave it: never an `Object.prototype` member such as `constructor`. */
const ownValue = (variables: Record<string, unknown>, name: string): unknown => (Object.hasOwn(variables, name) ? variables[name] : undefined);

/** Variables a render is missing (required placeholders not given), sorted. */
export const missingVariables = (body: PromptTemplateBody, variables: Record<string, unknown>) =>
  placeholdersOf(body).required.filter((name) => ownValue(variables, name) === undefined || ownValue(variables, name) === null);

/** The value at `path` in the innermost context whose view has it as own properties all the way down. */
function lookupOwn(start: Mustache.Context, path: string[]): unknown {
  for (let context: Mustache.Context | undefined = start; context; context = context.parent) {
    let value: unknown = context.view;
    let hit = true;
    for (const key of path) {
      if (value === null || value === undefined || !Object.hasOwn(value as object, key)) {
        hit = false;
        break;
      }
      value = (value as Record<string, unknown>)[key];
    }
    if (hit) return value;
  }
  return undefined;
}

/**
 * A Mustache context that resolves names against own properties only: Mustache's own lookup uses
 * `in`, so `{{constructor}}` or `{{toString}}` would find (and call) `Object.prototype` members.
 */
class OwnPropertiesContext extends Mustache.Context {
  override push(view: unknown): Mustache.Context {
    return new OwnPropertiesContext(view, this);
  }

  override lookup(name: string): unknown {
    return name === '.' ? this.view : lookupOwn(this, name.split('.'));
  }
}

/** Renders with HTML escaping off: prompts are not HTML. Partials are not supported (they render empty). */
export function render(body: PromptTemplateBody, variables: Record<string, unknown>): Rendered {
  const options = { escape: (value: unknown) => String(value) };
  const renderText = (text: string) => Mustache.render(text, new OwnPropertiesContext(variables), {}, options);
  if (typeof body === 'string') return renderText(body);
  return body.map((message) => ({ role: message.role, content: renderText(message.content) }));
}
