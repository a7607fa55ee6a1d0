/**
 * Maps each domain event's name (`ExperimentCreated`, what deciders speak) to its stable wire type
 * (`mlops.lifecycle.experiment.created.v1`) and JSON Schema. Renaming code never changes the wire.
 */
export interface EventDefinition {
  name: string;
  type: string;
  schema: Record<string, unknown>;
}

export class EventCatalog {
  private readonly byName = new Map<string, EventDefinition>();
  private readonly byType = new Map<string, EventDefinition>();

  constructor(
    readonly topic: string,
    readonly source: string,
    definitions: EventDefinition[],
  ) {
    for (const definition of definitions) {
      this.byName.set(definition.name, definition);
      this.byType.set(definition.type, definition);
    }
  }

  typeOf(name: string): string {
    const definition = this.byName.get(name);
    if (!definition) throw new Error(`Event ${name} is not in the ${this.topic} catalog`);
    return definition.type;
  }

  nameOf(type: string): string {
    const definition = this.byType.get(type);
    if (!definition) throw new Error(`Event type ${type} is not in the ${this.topic} catalog`);
    return definition.name;
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  definitions(): EventDefinition[] {
    return [...this.byName.values()];
  }
}
