/** Wrapping of errors thrown by user functions and operators into one `JOB_TASK_FAILED` error. */
import { CoreErrorCode, JobExecutionError, isSluiceError } from '../errors.js';

/** Where a task failed. */
export interface TaskFailurePlace {
  readonly operatorUid: string;
  readonly operatorName: string;
  readonly subtask: number;
  readonly parallelism: number;
  /** The call that failed, e.g. `map`, `invoke`, `snapshotState`. */
  readonly phase: string;
  readonly checkpointId?: number;
}

/** True when `error` is already a task failure (so it is not wrapped twice). */
export function isTaskFailure(error: unknown): error is JobExecutionError {
  return isSluiceError(error) && error.code === CoreErrorCode.JOB_TASK_FAILED;
}

/** Wraps `cause` once into a `JOB_TASK_FAILED` {@link JobExecutionError} naming the place. */
export function taskFailure(place: TaskFailurePlace, cause: unknown): JobExecutionError {
  if (isTaskFailure(cause)) return cause;
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  const checkpoint = place.checkpointId === undefined ? '' : ` during checkpoint ${place.checkpointId}`;
  return new JobExecutionError(
    `Operator "${place.operatorName}" (uid "${place.operatorUid}") subtask ${place.subtask + 1}/` +
      `${place.parallelism} failed in ${place.phase}${checkpoint}: ${detail}. The job was stopped; ` +
      'fix the cause and start it again (it resumes from the latest complete checkpoint).',
    {
      code: CoreErrorCode.JOB_TASK_FAILED,
      operator: place.operatorUid,
      subtask: place.subtask,
      ...(place.checkpointId === undefined ? {} : { checkpointId: place.checkpointId }),
      cause,
    },
  );
}
