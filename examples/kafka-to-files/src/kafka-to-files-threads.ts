import { StreamExecutionEnvironment } from '@sluice/core';
import type { KafkaToFilesOptions } from './kafka-to-files.js';

/**
 * The same job with its parallel subtasks on `threads` threads, so that it uses as many cores:
 * each thread imports kafka-to-files.js and declares the operators with `upperCaseLines` itself.
 */
export async function kafkaToFilesOnThreads(options: KafkaToFilesOptions, threads = 2) {
  const env = StreamExecutionEnvironment.create({ parallelism: threads, taskThreads: threads });
  env.enableCheckpointing(2000);
  env.getCheckpointConfig().setCheckpointStorage(options.checkpointDir);
  const { brokers, topic, outputDir } = options; // plain data: it is copied into every thread
  await env.addPipeline(new URL('./kafka-to-files.js', import.meta.url), {
    exportName: 'upperCaseLines',
    args: { brokers, topic, outputDir },
  });
  return env;
}
