import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { EventSourcing } from '@mlops/event-sourcing';
import { commandMetadata, SERVICE_CONFIG } from '@mlops/platform';
import type { LifecycleConfig } from '../../config';
import { artifactDecider, artifactStreamId } from './artifact.decider';
import { ArtifactStore, artifactStoreFor, StoredArtifact } from './artifact-store';

/** The artifact proxy's use cases: the bytes go to the configured store, the fact (path, size, sha256) to the event log. */
@Injectable()
export class ArtifactsService {
  readonly store: ArtifactStore;

  constructor(
    private readonly eventSourcing: EventSourcing,
    @Inject(SERVICE_CONFIG) config: LifecycleConfig,
  ) {
    this.store = artifactStoreFor(config);
  }

  async upload(path: string, body: Readable): Promise<StoredArtifact> {
    const stored = await this.store.put(path, body);
    await this.eventSourcing.commands.handle(artifactDecider, artifactStreamId(path), { type: 'RecordStoredArtifact', data: { path, ...stored } }, commandMetadata(), {
      retries: 5,
    });
    return stored;
  }

  /** The state the event log holds of a path: what our REST API answers besides the bytes. */
  async recorded(path: string) {
    return (await this.eventSourcing.eventStore.aggregate(artifactStreamId(path), artifactDecider)).state;
  }
}
