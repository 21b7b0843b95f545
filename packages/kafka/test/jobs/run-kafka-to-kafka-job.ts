// Child-process entry of the SIGKILL tests: vite-node run-kafka-to-kafka-job.ts '<json options>',
// or node on its bundle (testkit's bundleJob) for a job on task threads: the threads import the
// bundle as the job's pipeline module, hence the export and the isMainThread guard.
import { isMainThread } from 'node:worker_threads';
import { runKafkaToKafkaJob } from './kafka-to-kafka-job.js';
import type { KafkaToKafkaJobOptions } from './kafka-to-kafka-job.js';

export { kafkaToKafkaPipeline } from './kafka-to-kafka-job.js';

if (isMainThread) {
  const options = JSON.parse(process.argv[process.argv.length - 1] ?? '{}') as KafkaToKafkaJobOptions;
  runKafkaToKafkaJob(options, new URL(import.meta.url)).then(
    (result) => {
      process.stdout.write(`${JSON.stringify({ status: result.status, lastCheckpointId: result.lastCheckpointId })}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
