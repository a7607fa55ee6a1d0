import { Injectable } from '@nestjs/common';
import { CommandMetadata, CommandResult, conflict, EventSourcing, notFound, Page } from '@mlops/event-sourcing';
import { commandMetadata } from '@mlops/platform';
import { experimentAggregate } from './experiment.aggregate';
import { experimentKeyOf, ExperimentCommand } from './experiment.decider';
import { BestRun, RunCounts, RunsService } from '../runs/runs.service';
import { CreateExperimentDto, ExperimentDetailQueryDto, ListExperimentsQueryDto, UpdateExperimentDto } from './experiments.dto';
import { ExperimentDocument, findExperimentByName } from './experiments.projection';

@Injectable()
export class ExperimentsService {
  private readonly experiments;

  constructor(
    eventSourcing: EventSourcing,
    private readonly runs: RunsService,
  ) {
    this.experiments = eventSourcing.aggregate(experimentAggregate);
  }

  private get readModel() {
    return this.experiments.readModel.collection;
  }

  async create(dto: CreateExperimentDto): Promise<CommandResult<ExperimentDocument>> {
    const metadata = commandMetadata();
    // A renamed experiment may be called it (its stream, keyed by another name, cannot say so).
    if (await findExperimentByName(this.readModel, dto.name)) throw conflict(`Experiment ${dto.name} already exists`);
    return this.execute(dto.name, metadata, {
      type: 'CreateExperiment',
      data: { name: dto.name, description: dto.description ?? '', owner: dto.owner ?? metadata.actor, tags: dto.tags ?? [] },
    });
  }

  async update(name: string, dto: UpdateExperimentDto, ifMatch?: number): Promise<CommandResult<ExperimentDocument>> {
    const key = await this.keyOf(name);
    return this.execute(key, commandMetadata(), { type: 'UpdateExperiment', data: { name: key, ...dto } }, ifMatch);
  }

  async get(name: string): Promise<ExperimentDocument> {
    const doc = await findExperimentByName(this.readModel, name);
    if (!doc) throw notFound(`Experiment ${name} does not exist`);
    return doc;
  }

  /** The stream key of the experiment called `name` (a renamed one keeps the name it was created with). */
  private async keyOf(name: string): Promise<string> {
    const doc = await findExperimentByName(this.readModel, name);
    return doc ? experimentKeyOf(doc) : name;
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

  async list(query: ListExperimentsQueryDto): Promise<Page<ExperimentDocument>> {
    const filter: Record<string, unknown> = {};
    if (query.owner) filter.owner = query.owner;
    if (query.status) filter.status = query.status;
    if (query.tag) filter.tags = query.tag;
    return this.experiments.page(filter, query);
  }

  /** Runs a command on the experiment's stream (by its key) and waits (bounded) for its read model; the MLflow facade uses it too. */
  async execute(name: string, metadata: CommandMetadata, command: ExperimentCommand, ifMatch?: number): Promise<CommandResult<ExperimentDocument>> {
    const { version, doc } = await this.experiments.execute(name, command, { ifMatch, metadata });
    return { version, doc };
  }
}
