/**
 * Errors of `@sluice/monitoring`: {@link MonitoringError}, a `SluiceError` from `@sluice/core`
 * with a code from {@link MonitoringErrorCode}.
 */
import { SluiceError } from '@sluice/core';
import type { ErrorPlace } from '@sluice/core';

/** Every code this package throws or answers with. Codes are stable. */
export const MonitoringErrorCode = {
  /** A monitoring option has a bad value; `option` names it. */
  CONFIG_MONITORING_OPTION: 'CONFIG_MONITORING_OPTION',
  /** `allowControl` is set without a `token` (or with one shorter than 16 characters). */
  CONFIG_MONITORING_TOKEN: 'CONFIG_MONITORING_TOKEN',
  /** The HTTP server could not listen (port in use, address not available). */
  MONITORING_LISTEN_FAILED: 'MONITORING_LISTEN_FAILED',
  /** HTTP answer: a control endpoint was called while `allowControl` is off (403). */
  MONITORING_CONTROL_DISABLED: 'MONITORING_CONTROL_DISABLED',
  /** HTTP answer: a control endpoint was called without the right bearer token (401). */
  MONITORING_UNAUTHORIZED: 'MONITORING_UNAUTHORIZED',
  /** HTTP answer: no job or route with that id/path (404). */
  MONITORING_NOT_FOUND: 'MONITORING_NOT_FOUND',
  /** HTTP answer: the method is not allowed on that path (405). */
  MONITORING_METHOD_NOT_ALLOWED: 'MONITORING_METHOD_NOT_ALLOWED',
  /** HTTP answer: the control action failed (e.g. checkpointing is off, job ended) (409). */
  MONITORING_CONTROL_FAILED: 'MONITORING_CONTROL_FAILED',
  /** HTTP answer: the request path is malformed (bad percent-encoding) (400). */
  MONITORING_BAD_REQUEST: 'MONITORING_BAD_REQUEST',
  /** HTTP answer: an unexpected failure while answering; the server logs it (500). */
  MONITORING_INTERNAL: 'MONITORING_INTERNAL',
} as const;

/** A code from {@link MonitoringErrorCode}. */
export type MonitoringErrorCode = (typeof MonitoringErrorCode)[keyof typeof MonitoringErrorCode];

/** Options of {@link MonitoringError}. */
export interface MonitoringErrorOptions extends ErrorPlace {
  /** The stable code. */
  readonly code: MonitoringErrorCode;
  /**
   * The error this one wraps.
   * @defaultValue undefined
   */
  readonly cause?: unknown;
}

/** A monitoring failure: a bad option or a server that could not start. Never retriable by default. */
export class MonitoringError extends SluiceError {
  constructor(message: string, options: MonitoringErrorOptions) {
    super(message, options);
  }
}
