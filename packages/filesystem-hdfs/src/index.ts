// The public entry point of @sluice/filesystem-hdfs: every public name is listed here (STYLE.md §4).

// Errors
export { HdfsErrorCode, FileSystemError, UnsafePathError, isFileSystemError } from './errors.js';
export type { FileSystemErrorOptions, RemoteExceptionInfo, UnsafePathErrorOptions } from './errors.js';

// The FileSystem abstraction
export type {
  CreateOptions,
  DeleteOptions,
  FileOutput,
  FileStatus,
  FileSystem,
  FileType,
  OpenOptions,
} from './filesystem/file-system.js';
export { toWritable } from './filesystem/file-output-stream.js';
export type { ToWritableOptions } from './filesystem/file-output-stream.js';
export { resolveBucketPath } from './filesystem/path-safety.js';
export type { ResolveBucketPathOptions, UnsafeBucketIdPolicy } from './filesystem/path-safety.js';

// Implementations
export { LocalFileSystem } from './local/local-file-system.js';
export type { LocalFileSystemOptions } from './local/local-file-system.js';
export { WebHdfsFileSystem } from './webhdfs/webhdfs-file-system.js';
export type { WebHdfsFileSystemOptions } from './webhdfs/webhdfs-file-system.js';
export type { WebHdfsClientOptions } from './webhdfs/webhdfs-client.js';
export type { TlsOptions } from './webhdfs/http-transport.js';
export type { RetryPolicy } from './internal/retry.js';

// FileSink building blocks
export { DefaultRollingPolicy, OnCheckpointRollingPolicy } from './sink/rolling-policy.js';
export type { DefaultRollingPolicyOptions, PartFileInfo, RollingPolicy } from './sink/rolling-policy.js';
export { BasePathBucketAssigner, DateTimeBucketAssigner } from './sink/bucket-assigner.js';
export type { BucketAssigner, BucketAssignerContext, DateTimeBucketAssignerOptions } from './sink/bucket-assigner.js';
export { OutputFileConfig } from './sink/output-file-config.js';
export type { OutputFileConfigOptions, PartFileName } from './sink/output-file-config.js';

// FileSink (Flink's StreamingFileSink)
export { FileSink, RowFormatBuilder, BulkFormatBuilder } from './sink/file-sink/file-sink.js';
export type { FileSinkConfig } from './sink/file-sink/file-sink.js';
export { SimpleStringEncoder } from './sink/file-sink/encoder.js';
export type { BulkWriter, BulkWriterFactory, Encoder } from './sink/file-sink/encoder.js';
export type { PartWriter, PartWriterFactory } from './sink/file-sink/part-writer.js';
export type { CompactionConfig, CompactionOptions } from './sink/file-sink/compaction.js';
export { BUCKET_STATE_VERSION, decodeBucketState, encodeBucketState } from './sink/file-sink/bucket-state.js';
export type { BucketState, InProgressPart, PendingPart } from './sink/file-sink/bucket-state.js';

// Checkpoint storage on a FileSystem (HDFS)
export { FileSystemCheckpointStorage } from './checkpoint/file-system-checkpoint-storage.js';
export type { FileSystemCheckpointStorageOptions } from './checkpoint/file-system-checkpoint-storage.js';

// BucketingSink (Flink 1.6 parity)
export { BucketingSink, BucketingSinkBuilder } from './sink/bucketing/bucketing-sink.js';
export type { BucketingSinkConfig } from './sink/bucketing/bucketing-sink.js';
export { BasePathBucketer, DateTimeBucketer } from './sink/bucketing/bucketer.js';
export type { Bucketer, BucketerClock, DateTimeBucketerOptions } from './sink/bucketing/bucketer.js';
export { BytesWriter, StringWriter } from './sink/bucketing/writer.js';
export type { BytesWriterOptions, Writer } from './sink/bucketing/writer.js';
export { BUCKETING_STATE_VERSION, decodeBucketingState, encodeBucketingState } from './sink/bucketing/bucketing-state.js';
export type { BucketingBucketState, BucketingSinkState } from './sink/bucketing/bucketing-state.js';
