// The connector conformance suite and its parts (`@sluice/testkit/conformance`).
export { bundleJob } from './bundle-job.js';
export type { BundleJobOptions } from './bundle-job.js';
export { compareOutput, describeComparison } from './compare-output.js';
export type { DeliveryGuarantee, OutputComparison } from './compare-output.js';
export { ConnectorConformance } from './connector-conformance.js';
export type {
  ConformanceScenario,
  ConnectorConformanceOptions,
  JobInvocation,
  KillScenarioOptions,
  KillScenarioReport,
} from './connector-conformance.js';
export { JobProcesses, describeRun } from './job-processes.js';
export type { JobRun, JobRunOptions } from './job-processes.js';
export { describeKill, drawKill, killStepRunOptions } from './kill-plan.js';
export type { DrawKillOptions, KillPlanStep } from './kill-plan.js';
export { restartUntilFinished } from './restart-until-finished.js';
export type { RestartOutcome, RestartUntilFinishedOptions } from './restart-until-finished.js';
export { seededRandom } from './seeded-random.js';
