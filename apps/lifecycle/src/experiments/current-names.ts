import type { Collection, Document } from 'mongodb';

/**
 * Runs and deployments refer to an experiment or model by its stream key, which stays the name it
 * was created with (or a fresh key); our API shows what it is called now, read from its read model.
 */
export interface NamedBy {
  /** The read model of what they refer to, documents `_id` `<prefix><key>` with the current name in `field`. */
  collection: Collection<Document>;
  prefix: string;
  field: string;
}

/** `docs` with `refField` (a key) replaced by the current name of what it refers to; one `_id $in` read for them all. */
export async function withCurrentNames<Doc extends object>(docs: Doc[], refField: keyof Doc & string, by: NamedBy): Promise<Doc[]> {
  const keys = [...new Set(docs.map((doc) => (doc as Record<string, unknown>)[refField]).filter((key): key is string => typeof key === 'string'))];
  if (!keys.length) return docs;
  const found = await by.collection.find({ _id: { $in: keys.map((key) => `${by.prefix}${key}`) } } as Document, { projection: { [by.field]: 1 } }).toArray();
  const names = new Map(found.map((doc) => [String(doc._id).slice(by.prefix.length), doc[by.field]]));
  return docs.map((doc) => {
    const name = names.get((doc as Record<string, unknown>)[refField] as string);
    return typeof name === 'string' ? { ...doc, [refField]: name } : doc;
  });
}
