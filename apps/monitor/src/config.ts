import { resolve } from 'node:path';
import { z } from 'zod';
import { brokerList, kafkaSecurityIssues, kafkaSecuritySchema, logLevel } from '@mlops/platform';

/** The published contract (asyncapi.yaml and schemas/) — libs/events in the source tree and in the image alike. */
const DEFAULT_CONTRACT_DIR = resolve(__dirname, '../../../libs/events');

export const monitorConfigSchema = z
  .object({
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3005),
    LOG_LEVEL: logLevel,
    KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
    KAFKA_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'expected letters, digits, ., _ or -').default(''),
    ...kafkaSecuritySchema.shape,
    /**
     * Base of the consumer group. Each start joins `<base>.<start time>` and reads every topic
     * from offset 0: the exported state is a fold of the whole log, rebuilt on every start.
     */
    MONITOR_GROUP_ID: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/).default('mlops-monitor'),
    MONITOR_CONTRACT_DIR: z.string().min(1).default(DEFAULT_CONTRACT_DIR),
  })
  .superRefine((config, ctx) => {
    for (const { variable, message } of kafkaSecurityIssues(config)) ctx.addIssue({ code: 'custom', path: [variable], message });
  });

export type MonitorConfig = z.infer<typeof monitorConfigSchema>;
