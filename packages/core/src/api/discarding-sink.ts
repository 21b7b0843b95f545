/**
 * Flink's `DiscardingSink`: a sink that drops every record, for jobs whose effect is elsewhere
 * (state, metrics, side outputs) and for measuring the operators before it.
 */
import type { Sink } from './functions.js';

/**
 * Drops every record. Its `numRecordsIn` metric still counts them. One class for every use, so
 * that jobs built again and again in one process (tests, benchmarks) share its `invoke`.
 */
export class DiscardingSink<TRecord> implements Sink<TRecord> {
  invoke(_record: TRecord): void {}
}
