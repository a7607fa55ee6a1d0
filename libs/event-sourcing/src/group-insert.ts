import { mongo } from 'mongoose';

interface Queued<Doc> {
  doc: Doc;
  resolve(): void;
  reject(error: unknown): void;
}

/** A batch holds at most this many documents (a commit is up to a few hundred kB). */
const MAX_BATCH = 64;

/**
 * Inserts documents into one collection as a group commit: an insert goes out at once when none is
 * in flight, and those that arrive meanwhile go out together in the next `insertMany`, unordered,
 * so each one succeeds or fails on its own (a duplicate key rejects only its own insert). Under
 * concurrent commands that is one round trip, and one store transaction, for many of them; a
 * lone command waits for nothing.
 */
export class GroupInsert<Doc extends mongo.Document> {
  private readonly queue: Queued<Doc>[] = [];
  private writing = false;

  constructor(private readonly collection: mongo.Collection<Doc>) {}

  /** Resolves once the document is stored (the driver has set its `_id`); rejects with its own error. */
  insert(doc: Doc): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      this.writeNext();
    });
  }

  private writeNext(): void {
    if (this.writing || !this.queue.length) return;
    this.writing = true;
    const batch = this.queue.splice(0, MAX_BATCH);
    void this.write(batch).finally(() => {
      this.writing = false;
      this.writeNext();
    });
  }

  private async write(batch: Queued<Doc>[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch;
      await this.collection.insertOne(only.doc as mongo.OptionalUnlessRequiredId<Doc>).then(() => only.resolve(), only.reject);
      return;
    }
    try {
      await this.collection.insertMany(
        batch.map(({ doc }) => doc as mongo.OptionalUnlessRequiredId<Doc>),
        { ordered: false },
      );
      for (const item of batch) item.resolve();
    } catch (error) {
      const failed = error instanceof mongo.MongoBulkWriteError ? [error.writeErrors].flat() : [];
      if (!failed.length) {
        for (const item of batch) item.reject(error);
        return;
      }
      const byIndex = new Map(failed.map((writeError) => [writeError.index, writeError]));
      batch.forEach((item, index) => {
        const writeError = byIndex.get(index);
        if (!writeError) item.resolve();
        else item.reject(new mongo.MongoServerError({ message: writeError.errmsg ?? 'insert failed', code: writeError.code, errmsg: writeError.errmsg }));
      });
    }
  }
}
