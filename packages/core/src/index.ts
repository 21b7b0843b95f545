// The public entry point of @sluice/core: every public name is listed here (STYLE.md §4).

// Errors
export {
  CoreErrorCode,
  SluiceError,
  ConfigError,
  StateError,
  CheckpointError,
  SerdeError,
  JobExecutionError,
  isSluiceError,
} from './errors.js';
export type { ErrorPlace, SluiceErrorOptions } from './errors.js';

// SDK: functions, state, schemas, partitioner, metrics
export { isRichFunction } from './api/functions.js';
export type {
  RuntimeContext,
  RichFunction,
  SourceContext,
  Source,
  SinkContext,
  Sink,
  MapFunction,
  FlatMapFunction,
  FilterFunction,
  Collector,
} from './api/functions.js';
export { isCheckpointedFunction, isCheckpointListener } from './api/state.js';
export type {
  ListStateDescriptor,
  ListState,
  OperatorStateStore,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  CheckpointedFunction,
  CheckpointListener,
} from './api/state.js';
export type { DeserializationSchema, SerializationSchema } from './api/serialization-schema.js';
export {
  TwoPhaseCommitSink,
  twoPhaseCommitStateType,
  TWO_PHASE_COMMIT_STATE_NAME,
  TWO_PHASE_COMMIT_STATE_TYPE_ID,
  TWO_PHASE_COMMIT_STATE_VERSION,
} from './api/two-phase-commit-sink.js';
export type {
  TwoPhaseCommitSinkOptions,
  TransactionHolder,
  TwoPhaseCommitState,
  TwoPhaseCommitLogger,
} from './api/two-phase-commit-sink.js';
export { retry, retryDelayMs, isRetriable, RetriesExhaustedError } from './api/retry.js';
export type { RetryOptions } from './api/retry.js';
export type { Partitioner, PartitionTarget } from './api/partitioner.js';

// SDK: keyed state, keyed process functions, event time, restart strategies
export type {
  StateTtlUpdateType,
  StateTtlConfig,
  KeyedStateDescriptorBase,
  ValueStateDescriptor,
  KeyedListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  AggregateFunction,
  AggregatingStateDescriptor,
  ValueState,
  MapState,
  ReducingState,
  AggregatingState,
  KeyedStateStore,
} from './api/keyed-state.js';
export { OutputTag } from './api/keyed-process-function.js';
export type {
  TimerService,
  KeyedProcessContext,
  OnTimerContext,
  KeyedRuntimeContext,
  KeyedProcessFunction,
  KeyedProcessFunctionLike,
} from './api/keyed-process-function.js';
export { BoundedOutOfOrdernessGenerator, WatermarkStrategies } from './api/watermark-strategy.js';
export type {
  WatermarkOutput,
  WatermarkGenerator,
  TimestampAssigner,
  WatermarkStrategy,
} from './api/watermark-strategy.js';
export { RestartStrategies } from './api/restart-strategy.js';
export type {
  NoRestartStrategy,
  FixedDelayRestartStrategy,
  ExponentialDelayRestartStrategy,
  FailureRateRestartStrategy,
  RestartStrategyConfig,
  FailureRecord,
} from './api/restart-strategy.js';
export type {
  Counter,
  Meter,
  Histogram,
  HistogramStatistics,
  MeterOptions,
  HistogramOptions,
  MetricGroup,
} from './api/metric-group.js';

// Types and serializers
export { DataOutput, DataInput } from './types/data-view.js';
export type { TypeSerializer, SerializerSnapshot } from './types/type-serializer.js';
export type { TypeInformation } from './types/type-information.js';
export { Types } from './types/types.js';
export type { InferType, RowOf, TupleOf } from './types/types.js';
export type { JsonValue } from './types/json-value-serializer.js';
export { serializeToBytes, deserializeFromBytes } from './types/serialized-value.js';
export {
  writeWithSnapshot,
  readWithSnapshot,
  encodeSnapshot,
  decodeSnapshot,
} from './types/snapshot-envelope.js';

// Schemas shipped with core
export { DiscardingSink } from './api/discarding-sink.js';
export { PrintSinkFunction } from './api/print-sink-function.js';
export type { PrintSinkOptions } from './api/print-sink-function.js';
export { SimpleStringSchema } from './api/simple-string-schema.js';
export type { SimpleStringSchemaOptions, StringCharset } from './api/simple-string-schema.js';
export { TypeInformationSerializationSchema } from './api/type-information-serialization-schema.js';

// DataStream API
export { StreamExecutionEnvironment } from './datastream/stream-execution-environment.js';
export type {
  StreamExecutionEnvironmentOptions,
  AddSourceOptions,
} from './datastream/stream-execution-environment.js';
export { DataStream, DataStreamSink, KeyedStream } from './datastream/data-stream.js';
export type {
  AddSinkOptions,
  FunctionExtras,
  MapFunctionLike,
  FlatMapFunctionLike,
  FilterFunctionLike,
} from './datastream/data-stream.js';
export { CheckpointConfig, CheckpointingMode } from './datastream/checkpoint-config.js';
export type { StopMode, RestoreSetting } from './datastream/checkpoint-config.js';

// Runtime: job handle, checkpoint storage, metadata
export type { JobExecutionResult, JobHandle, CancelOptions, RestartsExhaustedError } from './runtime/job-runner.js';
export {
  keyGroupRangeForSubtask,
  subtaskForKeyGroup,
  keyGroupForBytes,
  murmur3Bytes,
  murmurHashInt,
} from './runtime/key-groups.js';
export type { KeyGroupRange } from './runtime/key-groups.js';
export type { MetricValue, MetricKind, MetricSample } from './metrics/metric-sample.js';
export type {
  JobStatus,
  JobState,
  JobGraphView,
  JobVertex,
  JobEdge,
  CheckpointStats,
  CheckpointState,
  ExceptionEntry,
} from './metrics/job-status.js';
export type { CheckpointStorage, StoredCheckpoint } from './runtime/checkpoint-storage.js';
export { LocalCheckpointStorage } from './runtime/local-checkpoint-storage.js';
export type { LocalCheckpointStorageOptions } from './runtime/local-checkpoint-storage.js';
export { InMemoryCheckpointStorage } from './runtime/in-memory-checkpoint-storage.js';
export type { InMemoryStorageEvent } from './runtime/in-memory-checkpoint-storage.js';
export {
  CHECKPOINT_METADATA_FORMAT,
  CHECKPOINT_METADATA_VERSION,
  decodeCheckpointMetadata,
} from './runtime/checkpoint-metadata.js';
export type {
  CheckpointMetadata,
  CheckpointOperatorEntry,
  CheckpointFileEntry,
} from './runtime/checkpoint-metadata.js';
