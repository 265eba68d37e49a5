// What the Replay panel says about a report: one sentence for the outcome, naming what differs when
// the path is the same (the messages, a widget's outputs, the flow variables), and a widget's
// differing output fields as diff lines. When only outputs differed the panel said "messages or
// outputs differ" and showed two identical diffs.
import type { ReplayOutputDifference, ReplayReport } from '../api/types.ts';

const VARIABLES = 'flow.variables';

function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export function replayVerdict(report: ReplayReport): string {
  const on = `revision ${report.replay.revision}`;
  if (!report.diverged) return `Same path, messages and outputs on ${on} as on revision ${report.original.revision ?? '?'}.`;
  if (report.divergence) return `The path diverges at step ${report.divergence.index + 1} on ${on}.`;
  const differs: string[] = [];
  if (report.message_diff.some((line) => !line.startsWith('  '))) differs.push('the messages');
  const widgets = report.output_differences.map((d) => d.widget).filter((w) => w !== VARIABLES);
  if (widgets.length > 0) differs.push(`the outputs of ${list(widgets)}`);
  if (report.output_differences.some((d) => d.widget === VARIABLES)) differs.push('the flow variables');
  return `Same path on ${on}; ${differs.length > 0 ? list(differs) : 'the messages or outputs'} differ.`;
}

const shown = (value: unknown) => JSON.stringify(value) ?? 'undefined';

/** "- path: recorded" and "+ path: replay" for each differing field (a side without it has no line). */
export function outputDifferenceLines(difference: ReplayOutputDifference): string[] {
  return difference.fields.flatMap((f) => [
    ...('original' in f ? [`- ${f.path || '(value)'}: ${shown(f.original)}`] : []),
    ...('replay' in f ? [`+ ${f.path || '(value)'}: ${shown(f.replay)}`] : []),
  ]);
}
