import { Injectable } from '@nestjs/common';
import { BoundAggregate, CommandMetadata, CommandResult, conflict, EventSourcing, filterFrom, InjectAggregate, notFound, Page } from '@mlops/event-sourcing';
import { commandMetadata } from '@mlops/platform';
import { experimentAggregate } from './experiment.aggregate';
import { ExperimentCommand, experimentDecider, experimentKeyOf, experimentStreamId } from './experiment.decider';
import { BestRun, RunCounts, RunsService } from '../runs/runs.service';
import { CreateExperimentDto, ExperimentDetailQueryDto, ListExperimentsQueryDto, UpdateExperimentDto } from './experiments.dto';
import { ExperimentDocument, experimentKeyByName, experimentsProjection, findExperimentByName } from './experiments.projection';
import { NameHolder } from './name-claim.decider';
import { appendedAtVersion, createsUnderItsName, freshKey, NameClaims } from './name-claims';

/** A rename that loses its experiment's version to another command (a tag set meanwhile) claims again at the new one. */
const RENAME_ATTEMPTS = 5;

@Injectable()
export class ExperimentsService {
  private readonly names: NameClaims;

  constructor(
    @InjectAggregate(experimentAggregate) private readonly experiments: BoundAggregate<typeof experimentAggregate>,
    private readonly eventSourcing: EventSourcing,
    private readonly runs: RunsService,
  ) {
    this.names = new NameClaims(eventSourcing, {
      kind: 'experiment',
      standing: async (key) => {
        const { state, version } = await this.experiments.load(key);
        return { version, name: state.exists ? state.name : null };
      },
      unclaimedHolder: async (name, claim) => {
        if (!createsUnderItsName(name, claim)) {
          const own = await this.experiments.load(name);
          if (own.state.exists && own.state.name === name) return name;
        }
        return experimentKeyByName(this.readModel, name);
      },
      appendAnnounced: (name, holder, metadata) =>
        this.eventSourcing.commands.handle(experimentDecider, experimentStreamId(holder.key), announcedExperimentCommand(name, holder, metadata), metadata, {
          ifMatch: holder.at_version,
        }),
    });
  }

  private get readModel() {
    return this.experiments.readModel.collection;
  }

  /**
   * Claims the name (409 when another experiment holds it), then creates the experiment under the
   * name as its key — or under a fresh key when an experiment renamed away from the name keeps it.
   */
  async create(dto: CreateExperimentDto): Promise<CommandResult<ExperimentDocument> & { key: string }> {
    const metadata = commandMetadata();
    const created = { description: dto.description ?? '', owner: dto.owner ?? metadata.actor, tags: dto.tags ?? [] };
    const claimed = await this.names.claim(
      dto.name,
      async () => {
        const own = await this.experiments.load(dto.name);
        return { key: own.version === 0 ? dto.name : freshKey(dto.name), at_version: 0, created };
      },
      metadata,
    );
    const command: ExperimentCommand = { type: 'CreateExperiment', data: { name: claimed.key, ...created, called: dto.name } };
    const result = await this.appendClaimed(dto.name, claimed.key, claimed.at_version, command, metadata);
    return { ...result, key: claimed.key };
  }

  /**
   * Renames the experiment with this key: claims `newName`, appends the rename at the version the
   * claim names, then gives the old name back. MLflow's experiments/update is this.
   */
  async rename(key: string, newName: string, metadata: CommandMetadata = commandMetadata()): Promise<void> {
    for (let attempt = 0; attempt < RENAME_ATTEMPTS; attempt++) {
      const { state, version } = await this.experiments.load(key);
      if (!state.exists) throw notFound(`Experiment ${key} does not exist`);
      const previous = state.name;
      if (previous === newName) return;
      await this.names.claim(newName, async () => ({ key, at_version: version }), metadata);
      const command: ExperimentCommand = { type: 'RenameExperiment', data: { name: key, new_name: newName } };
      if (!(await appendedAtVersion(() => this.execute(key, metadata, command, version)))) {
        const now = await this.experiments.load(key);
        // Another claimant completed the rename for us, or the experiment changed meanwhile: claim again.
        if (!(now.state.exists && now.state.name === newName)) continue;
        await this.eventSourcing.waitForProjection(experimentsProjection, experimentStreamId(key), now.version);
      }
      await this.names.release(previous, key, metadata);
      return;
    }
    throw conflict(`Experiment ${key} kept changing during its rename; retry`);
  }

  async update(name: string, dto: UpdateExperimentDto, ifMatch?: number): Promise<CommandResult<ExperimentDocument>> {
    return this.updateByKey(await this.keyOf(name), dto, ifMatch);
  }

  /** The update on the experiment with this key (MLflow's calls, which address experiments by id, found the key already). */
  updateByKey(key: string, dto: UpdateExperimentDto, ifMatch?: number): Promise<CommandResult<ExperimentDocument>> {
    return this.execute(key, commandMetadata(), { type: 'UpdateExperiment', data: { name: key, ...dto } }, ifMatch);
  }

  async get(name: string): Promise<ExperimentDocument> {
    const doc = await findExperimentByName(this.readModel, name);
    if (!doc) throw notFound(`Experiment ${name} does not exist`);
    return doc;
  }

  /** The stream key of the experiment called `name` now (404 when none is: an old name no longer means the renamed one). */
  async keyOf(name: string): Promise<string> {
    const key = await experimentKeyByName(this.readModel, name);
    if (key === null) throw notFound(`Experiment ${name} does not exist`);
    return key;
  }

  /** The experiment with its runs counted by status and, given a metric, its best run — computed now, from the runs read model. */
  async detail(
    name: string,
    query: ExperimentDetailQueryDto,
  ): Promise<{ experiment: ExperimentDocument; run_counts: RunCounts; best_run?: BestRun | null }> {
    const experiment = await this.get(name);
    // Runs refer to the experiment by its key.
    const key = experimentKeyOf(experiment);
    const [run_counts, best_run] = await Promise.all([
      this.runs.countByStatus(key),
      query.metric === undefined ? undefined : this.runs.bestRun(key, query.metric, query.mode),
    ]);
    return { experiment, run_counts, ...(best_run === undefined ? {} : { best_run }) };
  }

  list(query: ListExperimentsQueryDto): Promise<Page<ExperimentDocument>> {
    return this.experiments.page(filterFrom(query, { owner: 'owner', status: 'status', tag: 'tags' }), query);
  }

  /** Runs a command on the experiment's stream (by its key) and waits (bounded) for its read model; the MLflow facade uses it too. */
  async execute(key: string, metadata: CommandMetadata, command: ExperimentCommand, ifMatch?: number): Promise<CommandResult<ExperimentDocument>> {
    const { version, doc } = await this.experiments.execute(key, command, { ifMatch, metadata });
    return { version, doc };
  }

  /** The create a claim announced, at its version; when another claimant completed it first, the experiment as it stands. */
  private async appendClaimed(name: string, key: string, atVersion: number, command: ExperimentCommand, metadata: CommandMetadata) {
    let result: CommandResult<ExperimentDocument> | undefined;
    if (await appendedAtVersion(async () => (result = await this.execute(key, metadata, command, atVersion)))) return result!;
    const now = await this.experiments.load(key);
    if (!(now.state.exists && now.state.name === name)) throw conflict(`Experiment ${name} already exists`);
    return { version: now.version, doc: await this.eventSourcing.waitForProjection<ExperimentDocument>(experimentsProjection, experimentStreamId(key), now.version) };
  }

}

/** The create or rename a claim on `name` announced for its holder. */
function announcedExperimentCommand(name: string, holder: NameHolder, metadata: CommandMetadata): ExperimentCommand {
  return holder.created
    ? { type: 'CreateExperiment', data: { name: holder.key, description: holder.created.description, owner: holder.created.owner ?? metadata.actor, tags: holder.created.tags ?? [], called: name } }
    : { type: 'RenameExperiment', data: { name: holder.key, new_name: name } };
}
