/** The Sluice file output of the file benchmarks: a row-format FileSink on local disk or HDFS. */
import {
  FileSink,
  LocalFileSystem,
  OnCheckpointRollingPolicy,
  SimpleStringEncoder,
  WebHdfsFileSystem,
} from '@sluice/filesystem-hdfs';
import type { FileSystem } from '@sluice/filesystem-hdfs';

/** The WebHDFS address of the testkit's HDFS (undefined when it was not started). */
export function webhdfsOf(
  server: { webhdfsUrl: string; user: string } | undefined,
): { url: string; user: string } | undefined {
  return server === undefined ? undefined : { url: server.webhdfsUrl, user: server.user };
}

/** `WebHdfsFileSystem` when `webhdfs` is given, else `LocalFileSystem`. */
export function benchFileSystem(webhdfs: { url: string; user: string } | undefined): FileSystem {
  return webhdfs === undefined
    ? new LocalFileSystem()
    : new WebHdfsFileSystem({ url: webhdfs.url, user: webhdfs.user });
}

/**
 * Row-format `FileSink` of strings under `dir` (`SimpleStringEncoder`, default date-time buckets,
 * `OnCheckpointRollingPolicy`: every checkpoint commits a finished part, as in Flink's exactly-once
 * row-format sink).
 */
export function rowFileSink(dir: string, fileSystem: FileSystem): FileSink<string> {
  return FileSink.forRowFormat(dir, new SimpleStringEncoder<string>())
    .withFileSystem(fileSystem)
    .withRollingPolicy(new OnCheckpointRollingPolicy())
    .build();
}
