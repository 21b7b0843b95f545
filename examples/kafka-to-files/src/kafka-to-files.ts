import { SimpleStringSchema, StreamExecutionEnvironment } from '@sluice/core';
import { FileSink, LocalFileSystem, OnCheckpointRollingPolicy, SimpleStringEncoder } from '@sluice/filesystem-hdfs';
import { KafkaSource, StartingOffsets } from '@sluice/kafka';

/** Where the job reads, writes and keeps its checkpoints. */
export interface KafkaToFilesOptions {
  readonly brokers: string;
  readonly topic: string;
  readonly outputDir: string;
  readonly checkpointDir: string;
}

/** A Kafka topic → non-empty lines, upper-cased → part files under `outputDir`, exactly once. */
export function kafkaToFiles(options: KafkaToFilesOptions) {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.enableCheckpointing(2000); // Kafka offsets and open part files are checkpointed every 2 s
  env.getCheckpointConfig().setCheckpointStorage(options.checkpointDir);
  upperCaseLines(env, options);
  return env;
}

/** The job's operators (kafka-to-files-threads.ts runs them on two threads). */
export function upperCaseLines(env: StreamExecutionEnvironment, options: Omit<KafkaToFilesOptions, 'checkpointDir'>) {
  const source = KafkaSource.builder<string>()
    .setBootstrapServers(options.brokers)
    .setTopics(options.topic)
    .setGroupId('kafka-to-files')
    .setValueOnlyDeserializer(new SimpleStringSchema())
    .setStartingOffsets(StartingOffsets.earliest())
    .build();
  const sink = FileSink.forRowFormat('/', new SimpleStringEncoder<string>())
    .withFileSystem(new LocalFileSystem({ root: options.outputDir })) // or new WebHdfsFileSystem({ url })
    .withRollingPolicy(new OnCheckpointRollingPolicy()) // parts become visible when a checkpoint completes
    .build();

  env
    .addSource(source).uid('kafka-source')
    .filter((line) => line.trim() !== '')
    .map((line) => line.toUpperCase())
    .addSink(sink).uid('file-sink');
}
