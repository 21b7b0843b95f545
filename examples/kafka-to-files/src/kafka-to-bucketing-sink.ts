import { SimpleStringSchema, StreamExecutionEnvironment } from '@sluice/core';
import { BucketingSink, DateTimeBucketer, LocalFileSystem, StringWriter } from '@sluice/filesystem-hdfs';
import { KafkaSource, StartingOffsets } from '@sluice/kafka';

/**
 * The same job with Flink 1.6's `BucketingSink` (for jobs migrating from it; new jobs use
 * `FileSink`): hourly buckets, a part is closed when it reaches `setBatchSize` or has been idle
 * for `setInactiveBucketThreshold`, and becomes final when the next checkpoint completes.
 */
export function kafkaToBucketingSink(options: { brokers: string; topic: string; outputDir: string; checkpointDir: string }) {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.enableCheckpointing(1000);
  env.getCheckpointConfig().setCheckpointStorage(options.checkpointDir);

  const source = KafkaSource.builder<string>()
    .setBootstrapServers(options.brokers)
    .setTopics(options.topic)
    .setGroupId('kafka-to-bucketing-sink')
    .setValueOnlyDeserializer(new SimpleStringSchema())
    .setStartingOffsets(StartingOffsets.earliest())
    .build();
  const sink = BucketingSink.builder<string>('/')
    .setFileSystem(new LocalFileSystem({ root: options.outputDir })) // or new WebHdfsFileSystem({ url })
    .setBucketer(new DateTimeBucketer({ timeZone: 'UTC' })) // yyyy-MM-dd--HH
    .setWriter(new StringWriter())
    .setBatchSize(64 * 1024 * 1024)
    .setInactiveBucketCheckInterval(500)
    .setInactiveBucketThreshold(500)
    .build();

  env.addSource(source).uid('kafka-source').addSink(sink).uid('bucketing-sink');
  return env;
}
