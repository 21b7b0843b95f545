// Child-process entry of the SIGKILL test: vite-node run-kafka-to-kafka-job.ts '<json options>'
import { runKafkaToKafkaJob } from './kafka-to-kafka-job.js';
import type { KafkaToKafkaJobOptions } from './kafka-to-kafka-job.js';

const options = JSON.parse(process.argv[process.argv.length - 1] ?? '{}') as KafkaToKafkaJobOptions;
runKafkaToKafkaJob(options).then(
  (result) => {
    process.stdout.write(`${JSON.stringify({ status: result.status, lastCheckpointId: result.lastCheckpointId })}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
