// node dist/main.js --topic input --output ./out [--brokers localhost:9092] [--checkpoints ./checkpoints]
// Runs until Ctrl-C (a final checkpoint commits the last part files); started again, it resumes.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { kafkaToFiles } from './kafka-to-files.js';

const { values } = parseArgs({
  options: {
    topic: { type: 'string', default: 'input' },
    brokers: { type: 'string', default: 'localhost:9092' },
    output: { type: 'string', default: './out' },
    checkpoints: { type: 'string', default: './checkpoints' },
  },
});

const env = kafkaToFiles({
  brokers: values.brokers,
  topic: values.topic,
  outputDir: resolve(values.output),
  checkpointDir: resolve(values.checkpoints),
});
const handle = await env.executeAsync('kafka-to-files');
handle.cancelOnSignals();
const result = await handle.result;
console.log(`${result.status}; last checkpoint ${result.lastCheckpointId ?? 'none'}; files in ${resolve(values.output)}`);
