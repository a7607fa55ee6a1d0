import { Injectable } from '@nestjs/common';
import { conflict, EventSourcing, findPage, notFound } from '@mlops/event-sourcing';
import { commandMetadata, CommandResult, decodeCursor, encodeCursor, Page, wantsReadYourWrites } from '@mlops/platform';
import { experimentDecider, experimentKeyOf, experimentStreamId, ExperimentCommand } from './experiment.decider';
import { BestRun, RunCounts, RunsService } from '../runs/runs.service';
import { CreateExperimentDto, ExperimentDetailQueryDto, ListExperimentsQueryDto, UpdateExperimentDto } from './experiments.dto';
import { ExperimentDocument, experimentsProjection, findExperimentByName } from './experiments.projection';

@Injectable()
export class ExperimentsService {
  constructor(
    private readonly eventSourcing: EventSourcing,
    private readonly runs: RunsService,
  ) {}

  private get readModel() {
    return this.eventSourcing.runner<ExperimentDocument>(experimentsProjection.name).readModel;
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
    const { docs, lastId } = await findPage(this.readModel, filter, { limit: query.limit, after: decodeCursor(query.cursor) });
    return { items: docs, next_cursor: lastId ? encodeCursor(lastId) : null };
  }

  async execute(
    name: string,
    metadata: ReturnType<typeof commandMetadata>,
    command: ExperimentCommand,
    ifMatch?: number,
  ): Promise<CommandResult<ExperimentDocument>> {
    const outcome = await this.eventSourcing.commands.handle(experimentDecider, experimentStreamId(name), command, metadata, {
      ifMatch,
    });
    const doc = wantsReadYourWrites()
      ? await this.eventSourcing.waitForProjection<ExperimentDocument>(experimentsProjection.name, outcome.streamId, outcome.version)
      : null;
    return { version: outcome.version, doc };
  }
}
