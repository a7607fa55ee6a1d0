import { Partitioners, PartitionMetadata } from 'kafkajs';

/**
 * The partition of `topic` the producer sends a stream's events to: kafkajs's default partitioner
 * (murmur2 of the key, as Java's clients), which the event store's producer uses, with the stream id
 * as the key. Lets a replica tell whether it applies a stream's events itself.
 */
export function streamPartitioner(topic: string, partitionCount: number): (streamId: string) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 0 }) as PartitionMetadata);
  return (streamId) => partitioner({ topic, partitionMetadata, message: { key: streamId, value: null } });
}
