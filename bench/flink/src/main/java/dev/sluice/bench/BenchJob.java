package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Sluice benchmark jobs written for Apache Flink, run in a local MiniCluster.
 *
 * <p>Arguments: {@code <scenario A|B|C> <bootstrap> <input topic> <output topic or directory>
 * <checkpoint dir> <group id> <end offset of partition 0,1,…> [restore path]}. The source is
 * bounded at the given end offsets (the input may still be written while the job runs, as in the
 * latency runs), so the job ends when everything was read and the final checkpoint committed the
 * output. Prints one JSON line with the measurements on stdout.
 */
public final class BenchJob {
  static final AtomicLong SEEN = new AtomicLong();
  static final AtomicLong FIRST_NANOS = new AtomicLong();
  static final AtomicLong WARM_NANOS = new AtomicLong();
  static volatile long warmAt = Long.MAX_VALUE;

  private BenchJob() {}

  public static void main(String[] args) throws Exception {
    String scenario = args[0];
    String bootstrap = args[1];
    String input = args[2];
    String output = args[3];
    String checkpoints = args[4];
    String groupId = args[5];
    Map<TopicPartition, Long> ends = new HashMap<>();
    long expected = 0;
    String[] endOffsets = args[6].split(",");
    for (int partition = 0; partition < endOffsets.length; partition++) {
      long end = Long.parseLong(endOffsets[partition]);
      ends.put(new TopicPartition(input, partition), end);
      expected += end;
    }
    String restore = args.length > 7 ? args[7] : "";
    warmAt = Math.max(1, expected / 5);

    Configuration config = new Configuration();
    config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "file://" + checkpoints);
    config.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 1);
    if (!restore.isEmpty()) config.set(StateRecoveryOptions.SAVEPOINT_PATH, restore);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(2);
    env.enableCheckpointing(1000, CheckpointingMode.EXACTLY_ONCE);
    env.getCheckpointConfig()
        .setExternalizedCheckpointRetention(
            org.apache.flink.configuration.ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);

    KafkaSource<String> source =
        KafkaSource.<String>builder()
            .setBootstrapServers(bootstrap)
            .setTopics(input)
            .setGroupId(groupId)
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setBounded(OffsetsInitializer.offsets(ends))
            .setValueOnlyDeserializer(new SimpleStringSchema())
            .build();

    DataStream<String> stream =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "input").uid("input");
    DataStream<String> records =
        scenario.equals("B")
            ? stream
                .map(new ParseForAggregate())
                .uid("parse")
                .filter(value -> !value.isEmpty())
                .uid("filter")
                .keyBy(value -> value.substring(0, value.indexOf('\t')))
                .process(new RunningTotal())
                .uid("aggregate")
            : stream
                .map(new Transform())
                .uid("transform")
                .filter(value -> !value.isEmpty())
                .uid("filter");

    if (scenario.equals("A") || scenario.equals("B")) {
      Properties producer = new Properties();
      producer.setProperty("transaction.timeout.ms", "900000");
      KafkaSink<String> sink =
          KafkaSink.<String>builder()
              .setBootstrapServers(bootstrap)
              .setKafkaProducerConfig(producer)
              .setRecordSerializer(
                  KafkaRecordSerializationSchema.builder()
                      .setTopic(output)
                      .setValueSerializationSchema(new SimpleStringSchema())
                      .build())
              .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
              .setTransactionalIdPrefix(groupId)
              .build();
      records.sinkTo(sink).uid("output");
    } else {
      FileSink<String> sink =
          FileSink.forRowFormat(new Path(output), new SimpleStringEncoder<String>("UTF-8"))
              .withRollingPolicy(OnCheckpointRollingPolicy.build())
              .build();
      records.sinkTo(sink).uid("output");
    }

    Thread progress =
        new Thread(
            () -> {
              try {
                while (true) {
                  System.out.println("progress " + SEEN.get());
                  System.out.flush();
                  Thread.sleep(100);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "bench-progress");
    progress.setDaemon(true);
    progress.start();

    long executeStart = System.nanoTime();
    env.execute("sluice-bench-" + scenario);
    long end = System.nanoTime();
    progress.interrupt();

    long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
    long uptimeAtExecuteMs =
        ManagementFactory.getRuntimeMXBean().getUptime() - (end - executeStart) / 1_000_000;
    long first = FIRST_NANOS.get();
    long warm = WARM_NANOS.get();
    long seen = SEEN.get();
    double seconds = (end - first) / 1e9;
    double steadySeconds = warm == 0 ? seconds : (end - warm) / 1e9;
    long steadyRecords = warm == 0 ? seen : seen - warmAt;
    double startupMs = uptimeAtExecuteMs + (first - executeStart) / 1e6;
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double cpuSeconds = os.getProcessCpuTime() / 1e9;
    long peakRss = 0;
    for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        peakRss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    System.out.println("progress " + seen);
    System.out.println(
        String.format(
            java.util.Locale.ROOT,
            "{\"records\":%d,\"seconds\":%.4f,\"steadyRecords\":%d,\"steadySeconds\":%.4f,"
                + "\"startupMs\":%.1f,\"cpuSeconds\":%.3f,\"peakRssBytes\":%d,\"jvmStartMs\":%d}",
            seen, seconds, steadyRecords, steadySeconds, startupMs, cpuSeconds, peakRss, jvmStartMs));
    System.out.flush();
    System.exit(0);
  }

  static void count() {
    long n = SEEN.incrementAndGet();
    if (n == 1) FIRST_NANOS.compareAndSet(0, System.nanoTime());
    if (n == warmAt) WARM_NANOS.compareAndSet(0, System.nanoTime());
  }

  /** Scenario B: parse, drop ids divisible by 10 (""), emit "user\tcents". */
  static final class ParseForAggregate
      implements org.apache.flink.api.common.functions.MapFunction<String, String> {
    private transient ObjectMapper mapper;

    @Override
    public String map(String text) throws Exception {
      count();
      if (mapper == null) mapper = new ObjectMapper();
      ObjectNode node = (ObjectNode) mapper.readTree(text);
      if (node.get("id").asLong() % 10 == 0) return "";
      return node.get("user").asText() + "\t" + Math.round(node.get("amount").asDouble() * 100);
    }
  }

  /** Scenario B: running count and sum of cents per user in keyed ValueStates; emits JSON totals. */
  static final class RunningTotal
      extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, String, String> {
    private transient org.apache.flink.api.common.state.ValueState<Long> count;
    private transient org.apache.flink.api.common.state.ValueState<Long> cents;
    private transient ObjectMapper mapper;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) {
      count =
          getRuntimeContext()
              .getState(new org.apache.flink.api.common.state.ValueStateDescriptor<>("count", Long.class));
      cents =
          getRuntimeContext()
              .getState(new org.apache.flink.api.common.state.ValueStateDescriptor<>("cents", Long.class));
      mapper = new ObjectMapper();
    }

    @Override
    public void processElement(String line, Context ctx, org.apache.flink.util.Collector<String> out)
        throws Exception {
      long n = (count.value() == null ? 0 : count.value()) + 1;
      long c =
          (cents.value() == null ? 0 : cents.value())
              + Long.parseLong(line.substring(line.indexOf('\t') + 1));
      count.update(n);
      cents.update(c);
      ObjectNode node = mapper.createObjectNode();
      node.put("user", ctx.getCurrentKey());
      node.put("count", n);
      node.put("cents", c);
      out.collect(mapper.writeValueAsString(node));
    }
  }

  /**
   * Parse → filter/map: drops records whose id is divisible by 10 (returns ""), adds the amount in
   * cents and an upper-cased country, re-encodes as JSON. Counts records for the measurements.
   */
  static final class Transform implements org.apache.flink.api.common.functions.MapFunction<String, String> {
    private transient ObjectMapper mapper;

    @Override
    public String map(String text) throws Exception {
      count();
      if (mapper == null) mapper = new ObjectMapper();
      ObjectNode node = (ObjectNode) mapper.readTree(text);
      if (node.get("id").asLong() % 10 == 0) return "";
      node.put("cents", Math.round(node.get("amount").asDouble() * 100));
      node.put("country", node.get("country").asText().toUpperCase(java.util.Locale.ROOT));
      node.remove("amount");
      return mapper.writeValueAsString(node);
    }
  }
}
