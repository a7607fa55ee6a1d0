import { missingVariables, placeholdersOf, render } from './prompt-text';

describe('prompt text', () => {
  it('lists top-level placeholders, requiring plain ones and not sections', () => {
    expect(placeholdersOf('Hi {{name}}, {{{raw}}} {{&amp}} {{#items}}{{x}}{{/items}}{{^vip}}std{{/vip}} {{user.email}}')).toEqual({
      variables: ['amp', 'items', 'name', 'raw', 'user', 'vip'],
      required: ['amp', 'name', 'raw', 'user'],
    });
    expect(placeholdersOf([{ role: 'system', content: 'You are {{persona}}' }, { role: 'user', content: '{{question}}' }])).toEqual({
      variables: ['persona', 'question'],
      required: ['persona', 'question'],
    });
  });

  it('refuses invalid mustache as invalid input naming the message', () => {
    expect(() => placeholdersOf([{ role: 'user', content: 'ok' }, { role: 'user', content: '{{#open}} never closed' }])).toThrow(
      expect.objectContaining({ kind: 'invalid_input', details: [expect.objectContaining({ field: 'template.1.content' })] }),
    );
  });

  it('renders without HTML escaping, each chat message separately', () => {
    expect(render('Say {{text}} & {{n}}', { text: '<b>"hi"</b>', n: 3 })).toBe('Say <b>"hi"</b> & 3');
    expect(render([{ role: 'system', content: 'Be {{tone}}' }, { role: 'user', content: '{{q}}' }], { tone: 'brief', q: 'a < b?' })).toEqual([
      { role: 'system', content: 'Be brief' },
      { role: 'user', content: 'a < b?' },
    ]);
  });

  it('names the missing required variables; sections may be absent, null counts as missing', () => {
    expect(missingVariables('{{a}} {{b}} {{#c}}x{{/c}}', { a: 'x', b: null })).toEqual(['b']);
    expect(missingVariables('{{a}}', { a: '' })).toEqual([]);
  });

  const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

  it.each(PROTOTYPE_NAMES)('counts a variable named %s as missing unless the caller gave it', (name) => {
    expect(missingVariables(`Hi {{${name}}}`, {})).toEqual([name]);
    expect(missingVariables(`Hi {{${name}.x}}`, { other: 1 })).toEqual([name]);
    expect(missingVariables(`Hi {{${name}}}`, JSON.parse(`{"${name}": "there"}`))).toEqual([]);
  });

  it.each(PROTOTYPE_NAMES)('renders a variable named %s from the given value only, never from Object.prototype', (name) => {
    expect(render(`Hi {{${name}}}!`, JSON.parse(`{"${name}": "there"}`))).toBe('Hi there!');
    expect(render(`Hi {{${name}}}!{{#${name}}}yes{{/${name}}}`, {})).toBe('Hi !');
    expect(render(`{{#user}}{{${name}}}{{name}}{{/user}} {{user.${name}}}`, { user: { name: 'ana' } })).toBe('ana ');
  });

  it('still resolves nested names, sections over lists, the current item and own properties of strings', () => {
    expect(render('{{#items}}[{{.}}]{{/items}} {{user.email}} {{user.name.length}} {{#user}}{{email}}-{{top}}{{/user}}', {
      items: ['a', 'b'], user: { email: 'e@x', name: 'ana' }, top: 'T',
    })).toBe('[a][b] e@x 3 e@x-T');
  });
});

