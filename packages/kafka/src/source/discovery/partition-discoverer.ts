/**
 * Finds the partitions of the subscribed topics (a list, or every topic matching an anchored
 * pattern) and keeps those this subtask owns (reference §1.4).
 */
import type { Admin } from 'kafkajs';
import { KafkaError, KafkaErrorCode, wrapKafkaJsError } from '../../errors.js';
import { comparePartitions } from '../../internal/topic-partition.js';
import type { TopicPartition } from '../../internal/topic-partition.js';
import { assignPartition } from '../partition-state/partition-assigner.js';

/** What the source subscribes to: exactly one of these. */
export type TopicSubscription =
  | { readonly kind: 'topics'; readonly topics: readonly string[] }
  | { readonly kind: 'pattern'; readonly pattern: RegExp };

/** True when `pattern` matches the whole of `topic` (Java's `Pattern.matches`). */
export function matchesWhole(pattern: RegExp, topic: string): boolean {
  const anchored = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''));
  return anchored.test(topic);
}

/** Lists all partitions of the subscription, sorted; none at all is `KAFKA_NO_PARTITIONS`. */
export async function discoverPartitions(admin: Admin, subscription: TopicSubscription): Promise<TopicPartition[]> {
  let topics: string[];
  try {
    if (subscription.kind === 'topics') {
      topics = [...subscription.topics];
    } else {
      topics = (await admin.listTopics()).filter((t) => matchesWhole(subscription.pattern, t));
    }
  } catch (error) {
    throw wrapKafkaJsError(error, { action: 'listing topics' });
  }
  const partitions: TopicPartition[] = [];
  if (topics.length > 0) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      for (const topic of metadata.topics) {
        for (const p of topic.partitions) partitions.push({ topic: topic.name, partition: p.partitionId });
      }
    } catch (error) {
      throw wrapKafkaJsError(error, {
        action: 'reading topic metadata',
        ...(topics.length === 1 ? { topic: topics[0] } : {}),
        hint: 'Check that the topics exist (the source does not create topics).',
      });
    }
  }
  if (partitions.length === 0) {
    const what = subscription.kind === 'topics' ? `topics ${subscription.topics.join(', ')}` : `pattern ${String(subscription.pattern)}`;
    throw new KafkaError(`Unable to retrieve any partitions for ${what}. Check the topic names or the pattern.`, {
      code: KafkaErrorCode.KAFKA_NO_PARTITIONS,
    });
  }
  return partitions.sort(comparePartitions);
}

/** The partitions `subtaskIndex` of `parallelism` owns. */
export function ownedPartitions(
  partitions: readonly TopicPartition[],
  subtask: { readonly subtaskIndex: number; readonly parallelism: number },
): TopicPartition[] {
  return partitions.filter((tp) => assignPartition(tp.topic, tp.partition, subtask.parallelism) === subtask.subtaskIndex);
}
