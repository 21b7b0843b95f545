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
export type { Partitioner, PartitionTarget } from './api/partitioner.js';
export type { Counter, MetricGroup } from './api/metric-group.js';

// Types and serializers
export { DataOutput, DataInput } from './types/data-view.js';
export type { TypeSerializer, SerializerSnapshot } from './types/type-serializer.js';
export type { TypeInformation } from './types/type-information.js';
