/**
 * The one place where server and jar versions are pinned (STYLE.md §7).
 * Changing a version here changes the cache key, so the next run resolves the new jars.
 */
export const VERSIONS = {
  /** Apache Kafka broker (`org.apache.kafka:kafka_2.13`) and tools (`kafka-tools`). */
  kafka: '4.1.2',
  /** `org.apache.logging.log4j:log4j-slf4j-impl`, the logging binding matching Kafka's log4j-core. */
  log4jSlf4j: '2.25.3',
  /** `org.apache.hadoop:hadoop-client-minicluster` (NameNode + DataNode in one JVM). */
  hadoop: '3.4.1',
  /** `javax.xml.bind:jaxb-api`: mandatory on Java 17, or every WebHDFS call answers HTTP 500. */
  jaxbApi: '2.3.1',
  /** `org.slf4j:slf4j-reload4j`, the logging binding of the HDFS JVM (Hadoop logs through slf4j 1.7). */
  slf4jReload4j: '1.7.36',
  /**
   * `io.apicurio:apicurio-registry-app` (the Confluent-compatible schema registry on Maven Central).
   * 2.6.13.Final runs on Java 17 (3.x needs Java 21+) and serves the Confluent API at `/apis/ccompat/v7`.
   */
  apicurioRegistry: '2.6.13.Final',
} as const;

/** The Maven coordinates each server resolves, for error messages and the README. */
export const ARTIFACTS = {
  kafka: [
    `org.apache.kafka:kafka_2.13:${VERSIONS.kafka}`,
    `org.apache.kafka:kafka-tools:${VERSIONS.kafka} (without connect-runtime)`,
    `org.apache.logging.log4j:log4j-slf4j-impl:${VERSIONS.log4jSlf4j}`,
  ],
  hdfs: [
    `org.apache.hadoop:hadoop-client-minicluster:${VERSIONS.hadoop}`,
    `javax.xml.bind:jaxb-api:${VERSIONS.jaxbApi}`,
    `org.slf4j:slf4j-reload4j:${VERSIONS.slf4jReload4j}`,
  ],
  schemaRegistry: [`io.apicurio:apicurio-registry-app:${VERSIONS.apicurioRegistry}:tar.gz:all`],
} as const;

/** The oldest Java feature version the servers are run with. */
export const MIN_JAVA_VERSION = 17;
