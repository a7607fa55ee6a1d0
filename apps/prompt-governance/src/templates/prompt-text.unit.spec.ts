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
});
