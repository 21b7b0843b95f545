// A job using the connector: copies the lines of text files into a directory, exactly once.
//   node dist/bin/copy-lines.js <output-dir> <checkpoint-dir> <file>...
// Kill it at any moment and start it again with the same arguments: it resumes from its latest
// checkpoint, and `<output-dir>/committed/` ends with every input line exactly once.
import { StreamExecutionEnvironment } from '@sluice/core';
import { DirectorySink, LineFileSource } from '../index.js';

const [output, checkpoints, ...paths] = process.argv.slice(2);
if (output === undefined || checkpoints === undefined || paths.length === 0) {
  console.error('usage: copy-lines <output-dir> <checkpoint-dir> <file>...');
  process.exit(2);
}

const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env.enableCheckpointing(Number(process.env.CHECKPOINT_INTERVAL_MS ?? 200));
env.getCheckpointConfig().setCheckpointStorage(checkpoints);

env
  .addSource(LineFileSource.create({ paths, pauseEvery: Number(process.env.PAUSE_EVERY ?? 0) }))
  .uid('lines')
  .map((line) => line.toUpperCase())
  .addSink(DirectorySink.create({ directory: output }))
  .uid('directory-sink');

const result = await env.execute('copy-lines');
console.log(`JOB_FINISHED restored=${result.restoredCheckpointId ?? 'none'} last=${result.lastCheckpointId ?? 'none'}`);
