// What the Replay panel says about a report: one sentence for the outcome, naming what differs when
// the path is the same (the messages, a widget's outputs, the flow variables), and a widget's
// differing output fields as diff lines. When only outputs differed the panel said "messages or
// outputs differ" and showed two identical diffs. A widget's request or TwiML that differs (the
// server compares them with the revision the execution ran) is named too.
import type { ReplayEffectDifference, ReplayFieldDifference, ReplayReport } from '../api/types.ts';

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
  const effects = report.effect_differences ?? [];
  const of = (kinds: ReplayEffectDifference['kind'][]) => [...new Set(effects.filter((d) => kinds.includes(d.kind)).map((d) => d.widget))];
  if (of(['request', 'function']).length > 0) differs.push(`the requests of ${list(of(['request', 'function']))}`);
  if (of(['voice']).length > 0) differs.push(`what the caller heard from ${list(of(['voice']))}`);
  return `Same path on ${on}; ${differs.length > 0 ? list(differs) : 'the messages or outputs'} differ.`;
}

const shown = (value: unknown) => JSON.stringify(value) ?? 'undefined';

/** "- path: recorded" and "+ path: replay" for each differing field (a side without it has no line). */
export function outputDifferenceLines(difference: { fields: ReplayFieldDifference[] }): string[] {
  return difference.fields.flatMap((f) => [
    ...('original' in f ? [`- ${f.path || '(value)'}: ${shown(f.original)}`] : []),
    ...('replay' in f ? [`+ ${f.path || '(value)'}: ${shown(f.replay)}`] : []),
  ]);
}

const EFFECT: Record<ReplayEffectDifference['kind'], string> = { request: 'The HTTP request of', function: 'The Function call of', voice: 'What the caller heard from' };

/** The heading of a widget's differing request or TwiML ("The HTTP request of send (time 2)"). */
export function effectDifferenceTitle(difference: ReplayEffectDifference): string {
  return `${EFFECT[difference.kind]} ${difference.widget}${difference.occurrence > 1 ? ` (time ${difference.occurrence})` : ''}`;
}
