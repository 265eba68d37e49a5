// What `switchboard flows validate` prints: a line per file (its errors and warnings under it), then one
// summary line, so the verdict on a hundred files is not buried among a thousand warning lines. --quiet
// keeps only the invalid files and their errors; --max-warnings N turns too many warnings into a failure,
// as eslint's does, for CI jobs that want the warning count to stay down.

/** One file's verdict; `file`, `valid`, `errors` and `warnings` are its --json fields. */
export interface FileReport {
  file: string;
  valid: boolean;
  errors: string[];
  warnings: string[];
  /** The file could not be read at all (then `errors` says why). */
  unreadable: boolean;
}

export interface ValidationSummary {
  checked: number;
  valid: number;
  /** Files read whose definition is not valid (unreadable files are counted apart). */
  invalid: number;
  unreadable: number;
  warnings: number;
  /** --max-warnings, null without it. */
  maxWarnings: number | null;
  tooManyWarnings: boolean;
}

export function summarize(reports: FileReport[], maxWarnings: number | null): ValidationSummary {
  const warnings = reports.reduce((sum, r) => sum + r.warnings.length, 0);
  return {
    checked: reports.length,
    valid: reports.filter((r) => r.valid).length,
    invalid: reports.filter((r) => !r.valid && !r.unreadable).length,
    unreadable: reports.filter((r) => r.unreadable).length,
    warnings,
    maxWarnings,
    tooManyWarnings: maxWarnings !== null && warnings > maxWarnings,
  };
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The lines one file gets; none for a valid file under --quiet, and no warnings under it. */
export function fileLines(report: FileReport, quiet: boolean): string[] {
  if (quiet && report.valid) return [];
  const shownWarnings = quiet ? [] : report.warnings;
  const note = report.valid && report.warnings.length ? ` (${count(report.warnings.length, 'warning', 'warnings')})` : '';
  return [
    `${report.valid ? '✓' : '✗'} ${report.file}${note}`,
    ...report.errors.map((e) => `    ${e}`),
    ...shownWarnings.map((w) => `    warning: ${w}`),
  ];
}

/** "3 files checked: 1 valid, 1 invalid, 1 unreadable; 4 warnings" (unreadable only when there are some). */
export function summaryLine(summary: ValidationSummary): string {
  const unreadable = summary.unreadable ? `, ${summary.unreadable} unreadable` : '';
  return `${count(summary.checked, 'file', 'files')} checked: ${summary.valid} valid, ${summary.invalid} invalid${unreadable}; ${count(summary.warnings, 'warning', 'warnings')}`;
}

/** Why the run fails on its warnings alone, or null when --max-warnings is not given or not exceeded. */
export function tooManyWarningsText(summary: ValidationSummary): string | null {
  if (!summary.tooManyWarnings) return null;
  return `${count(summary.warnings, 'warning', 'warnings')}, more than --max-warnings ${summary.maxWarnings} allows`;
}

/** --max-warnings as a number (null when not given), or the usage problem with its value. */
export function parseMaxWarnings(value: string | undefined): { max: number | null } | { problem: string } {
  if (value === undefined) return { max: null };
  if (!/^\d+$/.test(value.trim())) return { problem: `flows validate --max-warnings takes a whole number of warnings (0 or more), not '${value}'` };
  return { max: Number(value.trim()) };
}
