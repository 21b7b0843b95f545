// The independent count of a fault test: every number 0..total-1 exactly once in the finished
// files, nothing else, and only finished part names (no in-progress or pending name) visible.

/** What the finished output holds. */
export interface ExactlyOnceReport {
  readonly missing: number[];
  readonly duplicated: number[];
  readonly foreign: string[];
  readonly badNames: string[];
}

/** Counts the lines of the finished files' text against 0..total-1; checks the file names. */
export function checkExactlyOnce(input: { text: string; names: readonly string[]; total: number }): ExactlyOnceReport {
  const seen = new Uint32Array(input.total);
  const foreign: string[] = [];
  for (const line of input.text.split('\n')) {
    if (line === '') continue;
    const n = Number(line);
    if (!Number.isInteger(n) || n < 0 || n >= input.total) foreign.push(line);
    else seen[n] = (seen[n] ?? 0) + 1;
  }
  const missing: number[] = [];
  const duplicated: number[] = [];
  seen.forEach((count, n) => {
    if (count === 0) missing.push(n);
    if (count > 1) duplicated.push(n);
  });
  const badNames = input.names.filter((name) => !/^part-\d+-\d+$/.test(name));
  return { missing, duplicated, foreign, badNames };
}

/** One line describing a report (first few numbers of each kind). */
export function describeExactlyOnce(report: ExactlyOnceReport): string {
  const few = (list: readonly unknown[]): string => `${list.length}${list.length > 0 ? ` (${list.slice(0, 8).join(', ')}…)` : ''}`;
  return `missing ${few(report.missing)}, duplicated ${few(report.duplicated)}, foreign lines ${few(report.foreign)}, bad names ${few(report.badNames)}`;
}

/** Whether the report shows exactly-once output. */
export function isExactlyOnceReport(report: ExactlyOnceReport): boolean {
  return report.missing.length + report.duplicated.length + report.foreign.length + report.badNames.length === 0;
}
