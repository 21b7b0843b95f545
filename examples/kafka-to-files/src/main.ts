// node dist/main.js --topic input --output ./out [--brokers localhost:9092] [--checkpoints ./checkpoints] [--task-threads 2]
// Runs until Ctrl-C (a final checkpoint commits the last part files); started again, it resumes.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { kafkaToFiles } from './kafka-to-files.js';
import { kafkaToFilesOnThreads } from './kafka-to-files-threads.js';

const { values } = parseArgs({
  options: {
    topic: { type: 'string', default: 'input' },
    brokers: { type: 'string', default: 'localhost:9092' },
    output: { type: 'string', default: './out' },
    checkpoints: { type: 'string', default: './checkpoints' },
    'task-threads': { type: 'string', default: '1' },
  },
});

const options = {
  brokers: values.brokers,
  topic: values.topic,
  outputDir: resolve(values.output),
  checkpointDir: resolve(values.checkpoints),
};
const threads = Number(values['task-threads']);
const env = threads > 1 ? await kafkaToFilesOnThreads(options, threads) : kafkaToFiles(options);
const handle = await env.executeAsync('kafka-to-files');
handle.cancelOnSignals();
const result = await handle.result;
console.log(`${result.status}; last checkpoint ${result.lastCheckpointId ?? 'none'}; files in ${resolve(values.output)}`);
