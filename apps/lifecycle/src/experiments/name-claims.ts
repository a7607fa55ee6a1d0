import { randomBytes } from 'node:crypto';
import { NameClaimCreation, NamedKind } from '@mlops/events';
import { CommandMetadata, conflict, DomainError, EventSourcing } from '@mlops/event-sourcing';
import { HolderStanding, nameClaimDecider, nameClaimStreamId, NameHolder } from './name-claim.decider';

/** Enough for twenty claimants racing for one name: each lost race looks again at the fresh claim. */
const CLAIM_RETRIES = 40;

/** What the name claims need to know of the experiments or models that hold names. */
export interface NameHolders {
  kind: NamedKind;
  /** The holder's write-side stream version and what it is called now (null: it does not exist). */
  standing(key: string): Promise<{ version: number; name: string | null }>;
  /**
   * The key of whoever was called `name` before its name had a claim stream (data from before
   * claims). `claim`: the claim being made, whose `wanted()` has just read the holder's stream
   * (a create under the name as its key found nobody there, so that stream need not be read again).
   */
  unclaimedHolder(name: string, claim?: WantedClaim): Promise<string | null>;
  /** Appends the create or rename a claim announced on the holder's stream, at exactly `holder.at_version`. */
  appendAnnounced(name: string, holder: NameHolder, metadata: CommandMetadata): Promise<unknown>;
}

/** What a claimant wants: the key that will hold the name, at which version of its stream, and what a create creates. */
export interface WantedClaim {
  key: string;
  at_version: number;
  created?: NameClaimCreation;
}

export interface Claimed {
  key: string;
  at_version: number;
}

/**
 * A fresh stream key for a name whose own key (`<name>`) is used by an experiment or model renamed
 * away from it: the name and 64 random bits, still within the names' pattern.
 */
export const freshKey = (name: string) => `${name.slice(0, 100)}.${randomBytes(8).toString('hex')}`;

/**
 * Whether the claim is a create under the name itself as its key: its claimant chose that key
 * because the stream of that key holds nothing called anything, so no holder from before claims is there.
 */
export const createsUnderItsName = (name: string, claim?: WantedClaim) => claim?.created !== undefined && claim.key === name;

const isPreconditionFailed = (error: unknown) => error instanceof DomainError && error.kind === 'precondition_failed';

/**
 * Who may call itself a name is decided by the event store: one stream per name
 * (`experiment_name:<n>`, `registered_model_name:<n>`), appended at the version the claimant read,
 * so of any number of racing creates and renames exactly one takes the name.
 *
 * Claim first, then the create or rename, then release the old name: two commits on two streams.
 * A crash between them must not block a name, so a claim names its holder and the holder's stream
 * version it was taken at, and the holder appends its create or rename at exactly that version.
 * The next claimant then reads the holder's own stream: called the name — taken; still at that
 * version — the announced append may yet land, so the claimant completes it itself (the claim
 * carries all it needs; of the two identical appends at one version exactly one lands) and the
 * name is taken; moved past it without being called the name — that append can never land, so
 * the claim is stale and the name free. No clock and no lease: what decides is always a version.
 * A release left out after a rename is stale by the same rule (the holder is called otherwise).
 */
export class NameClaims {
  constructor(
    private readonly eventSourcing: EventSourcing,
    private readonly holders: NameHolders,
  ) {}

  /**
   * Claims `name` for the key `wanted` picks (given the claim stream's version), or throws the 409
   * conflict when another experiment or model holds it. Writes nothing when refused.
   */
  async claim(
    name: string,
    wanted: () => Promise<WantedClaim>,
    metadata: CommandMetadata,
  ): Promise<Claimed> {
    const streamId = nameClaimStreamId(this.holders.kind, name);
    for (let attempt = 0; attempt <= CLAIM_RETRIES; attempt++) {
      const { state, version } = await this.eventSourcing.eventStore.aggregate(streamId, nameClaimDecider);
      const claim = await wanted();
      const holder = state.holder;
      let standing: HolderStanding | null = null;
      if (holder && (holder.key !== claim.key || claim.created !== undefined)) {
        standing = await this.standingOf(name, holder);
        if (standing === 'pending') {
          if (await this.complete(name, holder, metadata)) continue;
          standing = 'gone'; // its decider refuses the announced append: it can never land
        }
      }
      if (version === 0) {
        const unclaimed = await this.holders.unclaimedHolder(name, claim);
        if (unclaimed !== null && unclaimed !== claim.key) throw conflict(`${this.describe()} ${name} already exists`);
      }
      try {
        await this.eventSourcing.commands.handle(
          nameClaimDecider,
          streamId,
          { type: 'ClaimName', data: { kind: this.holders.kind, name, ...claim, holder_standing: standing } },
          metadata,
          { ifMatch: version },
        );
        return { key: claim.key, at_version: claim.at_version };
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error;
      }
    }
    throw conflict(`${this.describe()} ${name} is being claimed concurrently; retry`);
  }

  /** Gives `name` back if `key` holds it (after a rename away or a delete); a repeat writes nothing. */
  async release(name: string, key: string, metadata: CommandMetadata): Promise<void> {
    await this.eventSourcing.commands.handle(
      nameClaimDecider,
      nameClaimStreamId(this.holders.kind, name),
      { type: 'ReleaseName', data: { kind: this.holders.kind, name, key } },
      metadata,
      { retries: CLAIM_RETRIES },
    );
  }

  /** The key of whoever is called `name` now, as the write side says (null: nobody). */
  async holderOf(name: string): Promise<string | null> {
    const { state, version } = await this.eventSourcing.eventStore.aggregate(nameClaimStreamId(this.holders.kind, name), nameClaimDecider);
    if (state.holder) return (await this.standingOf(name, state.holder)) === 'called' ? state.holder.key : null;
    return version === 0 ? this.holders.unclaimedHolder(name) : null;
  }

  /** Completes a claim left pending (its holder crashed, or is slow): the same append at the same version, so exactly one lands. */
  private async complete(name: string, holder: NameHolder, metadata: CommandMetadata): Promise<boolean> {
    try {
      // Lost at that version (412) means something landed there: either way the claimant looks again.
      await appendedAtVersion(() => this.holders.appendAnnounced(name, holder, metadata));
      return true;
    } catch (error) {
      // The holder's decider refuses the announced append.
      if (error instanceof DomainError) return false;
      throw error;
    }
  }

  private async standingOf(name: string, holder: NameHolder): Promise<HolderStanding> {
    const { version, name: current } = await this.holders.standing(holder.key);
    if (current === name) return 'called';
    return version === holder.at_version ? 'pending' : 'gone';
  }

  private describe() {
    return this.holders.kind === 'experiment' ? 'Experiment' : 'Registered model';
  }
}

/** Runs an append made at an exact version; a lost race there (412) answers false instead of failing. */
export async function appendedAtVersion(append: () => Promise<unknown>): Promise<boolean> {
  try {
    await append();
    return true;
  } catch (error) {
    if (isPreconditionFailed(error)) return false;
    throw error;
  }
}
