import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EventValidator } from './validation';
import { evaluationCatalog } from './evaluation.events';
import { featureStoreCatalog } from './feature-store.events';
import { promptGovernanceCatalog } from './prompt-governance.events';
import { lifecycleCatalog } from './lifecycle.events';
import { Topics } from './topics';

const catalogs = [lifecycleCatalog, featureStoreCatalog, evaluationCatalog, promptGovernanceCatalog];

const validEvent = {
  specversion: '1.0',
  id: '3f1c8a52-4f0e-4c8e-9d77-2a1a1c7b6a10',
  source: '/mlops/lifecycle',
  type: 'mlops.lifecycle.experiment.created.v1',
  subject: 'experiment:churn',
  time: '2026-11-27T10:00:00.000Z',
  datacontenttype: 'application/json',
  data: { name: 'churn', description: '', owner: 'ana', tags: ['tabular'] },
  streamversion: 1,
  actor: 'ana',
  correlationid: 'c-1',
};

describe('the public event contract', () => {
  const validator = new EventValidator(catalogs);

  it('accepts a well-formed event', () => {
    expect(validator.validate(validEvent)).toEqual({ valid: true, errors: [] });
  });

  it.each([
    ['a missing actor', { ...validEvent, actor: undefined }],
    ['an unknown envelope field', { ...validEvent, extra: 1 }],
    ['a zero stream version', { ...validEvent, streamversion: 0 }],
    ['data of the wrong shape', { ...validEvent, data: { name: 'churn' } }],
    ['an unknown data field', { ...validEvent, data: { ...validEvent.data, colour: 'red' } }],
    ['an unknown type', { ...validEvent, type: 'mlops.lifecycle.experiment.deleted.v1' }],
    ['a time that is not a date-time', { ...validEvent, time: 'yesterday' }],
  ])('rejects %s', (_label, event) => {
    expect(validator.validate(JSON.parse(JSON.stringify(event))).valid).toBe(false);
  });

  it('describes every topic and every event type in the AsyncAPI document, with existing schemas', () => {
    const root = join(__dirname, '..');
    const asyncapi = parse(readFileSync(join(root, 'asyncapi.yaml'), 'utf8'));
    const addresses = Object.values(asyncapi.channels).map((c: any) => c.address);
    expect(addresses.sort()).toEqual(Object.values(Topics).sort());
    const messages = Object.values(asyncapi.components.messages) as any[];
    const documented = messages.map((m) => m.name).sort();
    const catalogued = catalogs.flatMap((c) => c.definitions().map((d) => d.type)).sort();
    expect(documented).toEqual(catalogued);
    for (const message of messages) {
      const schema = JSON.parse(readFileSync(join(root, message.payload.schema.$ref), 'utf8'));
      expect(schema.title).toBe(message.name);
    }
  });

  it('gives every event type a versioned name in its domain’s namespace', () => {
    for (const catalog of catalogs) {
      const domain = catalog.topic.split('.')[1];
      for (const definition of catalog.definitions()) {
        expect(definition.type).toMatch(new RegExp(`^mlops\\.${domain}\\.[a-z_]+\\.[a-z_]+\\.v\\d+$`));
      }
    }
  });
});
