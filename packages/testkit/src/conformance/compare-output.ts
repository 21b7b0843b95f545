/** What a connector promises about its output after failures. */
export type DeliveryGuarantee = 'exactly-once' | 'at-least-once';

/** The output of a run with failures compared with the failure-free output (as multisets). */
export interface OutputComparison {
  readonly guarantee: DeliveryGuarantee;
  /** Records in the failure-free output. */
  readonly expected: number;
  /** Records read after the run with failures. */
  readonly actual: number;
  /** Expected records not read (each missing copy once), at most 20 listed. */
  readonly missing: readonly string[];
  readonly missingCount: number;
  /** Extra copies of expected records. */
  readonly duplicates: number;
  /** Some duplicated records with how often they were read, at most 20. */
  readonly duplicated: readonly (readonly [record: string, times: number])[];
  /** Records read that the failure-free output does not have, at most 20 listed. */
  readonly unexpected: readonly string[];
  readonly unexpectedCount: number;
  /** Exactly-once: nothing missing, duplicated or unexpected; at-least-once: duplicates allowed. */
  readonly passed: boolean;
}

const LISTED = 20;

function countOf(records: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(record, (counts.get(record) ?? 0) + 1);
  return counts;
}

/**
 * Compares `actual` (read back after a run with failures) with `expected` (the failure-free
 * output), ignoring order: exactly-once passes when both hold the same records the same number
 * of times; at-least-once passes when nothing is missing or unexpected (duplicates are counted).
 */
export function compareOutput(
  expected: readonly string[],
  actual: readonly string[],
  guarantee: DeliveryGuarantee,
): OutputComparison {
  const want = countOf(expected);
  const got = countOf(actual);
  const missing: string[] = [];
  let missingCount = 0;
  for (const [record, times] of want) {
    const lacking = times - (got.get(record) ?? 0);
    if (lacking <= 0) continue;
    missingCount += lacking;
    if (missing.length < LISTED) missing.push(record);
  }
  const duplicated: (readonly [string, number])[] = [];
  const unexpected: string[] = [];
  let duplicates = 0;
  let unexpectedCount = 0;
  for (const [record, times] of got) {
    const allowed = want.get(record);
    if (allowed === undefined) {
      unexpectedCount += times;
      if (unexpected.length < LISTED) unexpected.push(record);
    } else if (times > allowed) {
      duplicates += times - allowed;
      if (duplicated.length < LISTED) duplicated.push([record, times]);
    }
  }
  const passed =
    missingCount === 0 &&
    unexpectedCount === 0 &&
    (guarantee === 'at-least-once' || duplicates === 0);
  return {
    guarantee,
    expected: expected.length,
    actual: actual.length,
    missing,
    missingCount,
    duplicates,
    duplicated,
    unexpected,
    unexpectedCount,
    passed,
  };
}

/** One line: `exactly-once held: 3000 records` or what is missing, duplicated and unexpected. */
export function describeComparison(comparison: OutputComparison): string {
  const verdict = comparison.passed ? 'held' : 'VIOLATED';
  const head = `${comparison.guarantee} ${verdict}: ${comparison.actual} records read, ${comparison.expected} expected`;
  const list = (items: readonly unknown[], count: number): string =>
    `${count}${items.length === 0 ? '' : ` [${items.map(String).join(', ')}${count > items.length ? ', ...' : ''}]`}`;
  return [
    head,
    `missing ${list(comparison.missing, comparison.missingCount)}`,
    `duplicated ${list(
      comparison.duplicated.map(([record, times]) => `${record}×${times}`),
      comparison.duplicates,
    )}`,
    `unexpected ${list(comparison.unexpected, comparison.unexpectedCount)}`,
  ].join('; ');
}
