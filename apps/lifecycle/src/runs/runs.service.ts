import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RunParam, RunParamValue, RunStatus } from '@mlops/events';
import { EventSourcing, findPage, notFound } from '@mlops/event-sourcing';
import { commandMetadata, CommandResult, decodeCursor, encodeCursor, Page, wantsReadYourWrites } from '@mlops/platform';
import { experimentDecider, experimentStreamId } from '../experiments/experiment.decider';
import { RUN_STREAM_PREFIX, RunCommand, runDecider, runStreamId } from './run.decider';
import { ListRunsQueryDto, StartRunDto, UpdateRunDto } from './runs.dto';
import { METRIC_HISTORY_COLLECTION, MetricHistoryDocument, RunDocument, runsProjection } from './runs.projection';

export type RunCounts = Record<RunStatus | 'total', number>;
export interface BestRun {
  run_id: string;
  value: number;
}

/** Every stored time is the fixed-width UTC form, so times compare and sort as strings. */
const utc = (time: string) => new Date(time).toISOString();
const toParams = (params: Record<string, RunParamValue> = {}): RunParam[] =>
  Object.entries(params).map(([key, value]) => ({ key, value }));

@Injectable()
export class RunsService {
  constructor(private readonly eventSourcing: EventSourcing) {}

  private get runner() {
    return this.eventSourcing.runner<RunDocument>(runsProjection.name);
  }

  private get history() {
    return this.runner.derivedReadModel<MetricHistoryDocument>(METRIC_HISTORY_COLLECTION);
  }

  async start(dto: StartRunDto): Promise<CommandResult<RunDocument> & { runId: string }> {
    const metadata = commandMetadata();
    const runId = randomUUID();
    // The write side, not the read model, says whether the experiment exists and is active.
    const experiment = await this.eventSourcing.eventStore.aggregate(experimentStreamId(dto.experiment_name), experimentDecider);
    const result = await this.execute(runId, metadata, {
      type: 'StartRun',
      data: {
        run_id: runId,
        experiment_name: dto.experiment_name,
        experiment_status: experiment.state.exists ? experiment.state.status : null,
        name: dto.name ?? runId,
        params: toParams(dto.params),
        tags: dto.tags ?? [],
        start_time: dto.start_time ? utc(dto.start_time) : metadata.now.toISOString(),
      },
    });
    return { ...result, runId };
  }

  async update(runId: string, dto: UpdateRunDto, ifMatch?: number): Promise<CommandResult<RunDocument>> {
    const metadata = commandMetadata();
    return this.execute(
      runId,
      metadata,
      {
        type: 'UpdateRun',
        data: {
          run_id: runId,
          now: metadata.now.toISOString(),
          metrics: dto.metrics?.map((m) => ({ key: m.key, value: m.value, step: m.step, timestamp: m.timestamp && utc(m.timestamp) })),
          params: dto.params && toParams(dto.params),
          tags: dto.tags,
          status: dto.status,
          end_time: dto.end_time && utc(dto.end_time),
        },
      },
      ifMatch,
    );
  }

  async get(runId: string): Promise<RunDocument> {
    const doc = await this.runner.readModel.findOne({ _id: runStreamId(runId) });
    if (!doc) throw notFound(`Run ${runId} does not exist`);
    return doc;
  }

  async list(query: ListRunsQueryDto): Promise<Page<RunDocument>> {
    const filter: Record<string, unknown> = {};
    if (query.experiment_name) filter.experiment_name = query.experiment_name;
    if (query.status) filter.status = query.status;
    const { docs, lastId } = await findPage(this.runner.readModel, filter, { limit: query.limit, after: decodeCursor(query.cursor) });
    return { items: docs, next_cursor: lastId ? encodeCursor(lastId) : null };
  }

  /** One metric's points, by step then timestamp (the history `_id` sorts that way). */
  async metricHistory(runId: string, key: string, page: { limit: number; cursor?: string }): Promise<Page<MetricHistoryDocument>> {
    await this.get(runId);
    const { docs, lastId } = await findPage(this.history, { run_id: runId, key }, { limit: page.limit, after: decodeCursor(page.cursor) });
    return { items: docs, next_cursor: lastId ? encodeCursor(lastId) : null };
  }

  /** Runs of an experiment by status, counted at query time (one accumulator per $group, as FerretDB needs). */
  async countByStatus(experimentName: string): Promise<RunCounts> {
    const groups = await this.runner.readModel
      .aggregate<{ _id: RunStatus; count: number }>([
        { $match: { experiment_name: experimentName } },
        { $group: { _id: '$status', count: { $sum: 1 } } },
      ])
      .toArray();
    const counts: RunCounts = { running: 0, completed: 0, failed: 0, killed: 0, total: 0 };
    for (const { _id, count } of groups) {
      counts[_id] = count;
      counts.total += count;
    }
    return counts;
  }

  /** The run whose latest value of `key` is highest (`max`) or lowest (`min`); null if no run logged it. */
  async bestRun(experimentName: string, key: string, mode: 'max' | 'min'): Promise<BestRun | null> {
    const [best] = await this.runner.readModel
      .aggregate<{ _id: string; metrics: { value: number } }>([
        { $match: { experiment_name: experimentName } },
        { $unwind: '$metrics' },
        { $match: { 'metrics.key': key } },
        { $sort: { 'metrics.value': mode === 'max' ? -1 : 1, _id: 1 } },
        { $limit: 1 },
        // FerretDB 1.24 drops other included fields after $unwind; the run id is in `_id` anyway.
        { $project: { metrics: 1 } },
      ])
      .toArray();
    return best ? { run_id: best._id.slice(RUN_STREAM_PREFIX.length), value: best.metrics.value } : null;
  }

  private async execute(
    runId: string,
    metadata: ReturnType<typeof commandMetadata>,
    command: RunCommand,
    ifMatch?: number,
  ): Promise<CommandResult<RunDocument>> {
    const outcome = await this.eventSourcing.commands.handle(runDecider, runStreamId(runId), command, metadata, { ifMatch });
    const doc = wantsReadYourWrites()
      ? await this.eventSourcing.waitForProjection<RunDocument>(runsProjection.name, outcome.streamId, outcome.version)
      : null;
    return { version: outcome.version, doc };
  }
}
