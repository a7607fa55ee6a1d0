import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import envelopeSchema from '../schemas/cloudevent.v1.json';
import { EventCatalog } from './catalog';
import { CloudEvent } from './cloud-event';

export interface EventValidationResult {
  valid: boolean;
  errors: string[];
}

/** Validates CloudEvents against the envelope and the JSON Schema of their type. */
export class EventValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(catalogs: EventCatalog[]) {
    addFormats(this.ajv);
    this.ajv.addSchema(envelopeSchema);
    for (const catalog of catalogs) {
      for (const definition of catalog.definitions()) {
        this.validators.set(definition.type, this.ajv.compile(definition.schema));
      }
    }
  }

  validate(event: CloudEvent | unknown): EventValidationResult {
    const type = (event as CloudEvent)?.type;
    const validator = this.validators.get(type);
    if (!validator) return { valid: false, errors: [`unknown event type ${String(type)}`] };
    const valid = validator(event) as boolean;
    return {
      valid,
      errors: (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim()),
    };
  }
}
