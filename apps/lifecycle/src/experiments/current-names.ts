import DataLoader from 'dataloader';
import type { Collection, Document } from 'mongodb';

/**
 * Runs and deployments refer to an experiment or model by its stream key, which stays the name it
 * was created with (or a fresh key); our API shows what it is called now, read from its read model.
 */
export interface NamedBy {
  /** The read model of what they refer to, documents `_id` `<prefix><key>` with the current name in `field`. */
  collection: () => Collection<Document>;
  prefix: string;
  field: string;
}

/**
 * Current names by key, read by `_id $in`: every lookup made at once (the requests a projection
 * batch answers together, a page's documents) goes out as one read. Nothing is kept between reads,
 * so a rename shows at once.
 */
export class CurrentNames {
  private readonly loader: DataLoader<string, string | undefined>;

  constructor(private readonly by: NamedBy) {
    this.loader = new DataLoader((keys) => this.read(keys), { cache: false, maxBatchSize: 500 });
  }

  /** `docs` with `refField` (a key) replaced by the current name of what it refers to. */
  async of<Doc extends object>(docs: Doc[], refField: keyof Doc & string): Promise<Doc[]> {
    const keys = [...new Set(docs.map((doc) => (doc as Record<string, unknown>)[refField]).filter((key): key is string => typeof key === 'string'))];
    if (!keys.length) return docs;
    const found = await Promise.all(keys.map((key) => this.loader.load(key)));
    const names = new Map(keys.map((key, index) => [key, found[index]]));
    return docs.map((doc) => {
      const name = names.get((doc as Record<string, unknown>)[refField] as string);
      return name === undefined ? doc : { ...doc, [refField]: name };
    });
  }

  private async read(keys: readonly string[]): Promise<(string | undefined)[]> {
    const { prefix, field } = this.by;
    const found = await this.by.collection().find({ _id: { $in: keys.map((key) => `${prefix}${key}`) } } as Document, { projection: { [field]: 1 } }).toArray();
    const names = new Map(found.map((doc) => [String(doc._id).slice(prefix.length), doc[field]]));
    return keys.map((key) => {
      const name = names.get(key);
      return typeof name === 'string' ? name : undefined;
    });
  }
}
