import { Injectable } from '@nestjs/common';
import { EventSourcing, findPage, notFound } from '@mlops/event-sourcing';
import { commandMetadata, CommandResult, decodeCursor, encodeCursor, Page, wantsReadYourWrites } from '@mlops/platform';
import { experimentDecider, experimentStreamId, ExperimentCommand } from './experiment.decider';
import { CreateExperimentDto, ListExperimentsQueryDto, UpdateExperimentDto } from './experiments.dto';
import { ExperimentDocument, experimentsProjection } from './experiments.projection';

@Injectable()
export class ExperimentsService {
  constructor(private readonly eventSourcing: EventSourcing) {}

  private get readModel() {
    return this.eventSourcing.runner<ExperimentDocument>(experimentsProjection.name).readModel;
  }

  async create(dto: CreateExperimentDto): Promise<CommandResult<ExperimentDocument>> {
    const metadata = commandMetadata();
    return this.execute(dto.name, metadata, {
      type: 'CreateExperiment',
      data: { name: dto.name, description: dto.description ?? '', owner: dto.owner ?? metadata.actor, tags: dto.tags ?? [] },
    });
  }

  async update(name: string, dto: UpdateExperimentDto, ifMatch?: number): Promise<CommandResult<ExperimentDocument>> {
    return this.execute(name, commandMetadata(), { type: 'UpdateExperiment', data: { name, ...dto } }, ifMatch);
  }

  async get(name: string): Promise<ExperimentDocument> {
    const doc = await this.readModel.findOne({ _id: experimentStreamId(name) });
    if (!doc) throw notFound(`Experiment ${name} does not exist`);
    return doc;
  }

  async list(query: ListExperimentsQueryDto): Promise<Page<ExperimentDocument>> {
    const filter: Record<string, unknown> = {};
    if (query.owner) filter.owner = query.owner;
    if (query.status) filter.status = query.status;
    if (query.tag) filter.tags = query.tag;
    const { docs, lastId } = await findPage(this.readModel, filter, { limit: query.limit, after: decodeCursor(query.cursor) });
    return { items: docs, next_cursor: lastId ? encodeCursor(lastId) : null };
  }

  private async execute(
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
