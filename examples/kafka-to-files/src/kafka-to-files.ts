import { SimpleStringSchema, StreamExecutionEnvironment } from '@sluice/core';
import { FileSink, LocalFileSystem, OnCheckpointRollingPolicy, SimpleStringEncoder } from '@sluice/filesystem-hdfs';
import { KafkaSource, StartingOffsets } from '@sluice/kafka';

/** A Kafka topic → non-empty lines, upper-cased → part files under `outputDir`, exactly once. */
export function kafkaToFiles(options: { brokers: string; topic: string; outputDir: string; checkpointDir: string }) {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.enableCheckpointing(2000); // Kafka offsets and open part files are checkpointed every 2 s
  env.getCheckpointConfig().setCheckpointStorage(options.checkpointDir);

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
  return env;
}
