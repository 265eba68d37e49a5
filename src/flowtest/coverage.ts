// Coverage of widgets and transitions per flow: which widgets no test reached and which events
// (transitions) no test took, from the steps every test observed.
import type { FlowDefinition } from '../definition/types.ts';
import type { ObservedStep } from './types.ts';

export interface TransitionRef {
  widget: string;
  /** Its index in the widget's transitions: each split condition is its own item, even when several lead to the same widget. */
  index: number;
  event: string;
  /** The widget it leads to, or "Ended". */
  next: string;
  /** A split condition's friendly name, for people (the index is what tells conditions apart). */
  condition?: string;
}

export interface FlowCoverage {
  flow: string;
  widgets: { total: number; covered: number; missed: string[] };
  transitions: { total: number; covered: number; missed: TransitionRef[] };
}

/** A transition taken, known by its index (what the engine reports) or, failing that, by its event and target. */
function indexKey(widget: string, index: number): string {
  return `${widget}\u0000#${index}`;
}

function key(widget: string, event: string, next: string): string {
  return `${widget}\u0000${event}\u0000${next}`;
}

export class CoverageCollector {
  readonly #flows = new Map<string, { definition: FlowDefinition; taken: Set<string>; reached: Set<string> }>();

  #entry(path: string, definition: FlowDefinition) {
    let entry = this.#flows.get(path);
    if (!entry) {
      entry = { definition, taken: new Set(), reached: new Set() };
      this.#flows.set(path, entry);
    }
    return entry;
  }

  /** Registers a flow even if no test ran it, so it shows as 0 %. */
  register(path: string, definition: FlowDefinition): void {
    this.#entry(path, definition);
  }

  /** Adds the steps one run took; `subflows` maps subflow SIDs to their files. */
  add(path: string, definition: FlowDefinition, steps: ObservedStep[], subflows: Map<string, { path: string; definition: FlowDefinition } | null> = new Map()): void {
    for (const step of steps) {
      const sub = step.subflow ? subflows.get(step.subflow) : undefined;
      if (step.subflow && !sub) continue;
      const entry = sub ? this.#entry(sub.path, sub.definition) : this.#entry(path, definition);
      entry.reached.add(step.from);
      if (step.to !== 'Ended') entry.reached.add(step.to);
      entry.taken.add(step.transition !== undefined ? indexKey(step.from, step.transition) : key(step.from, step.event, step.to));
    }
  }

  report(): FlowCoverage[] {
    return [...this.#flows].sort(([a], [b]) => a.localeCompare(b)).map(([flow, { definition, taken, reached }]) => {
      // A trigger event wired to nothing is not a path through the flow.
      const transitions: TransitionRef[] = definition.states.flatMap((state) =>
        state.transitions.map((t, index) => ({ t, index })).filter(({ t }) => state.type !== 'trigger' || t.next).map(({ t, index }) => ({
          widget: state.name,
          index,
          event: t.event,
          next: t.next ? t.next : 'Ended',
          ...(t.conditions?.[0]?.friendly_name ? { condition: t.conditions[0].friendly_name } : {}),
        })),
      );
      const missedTransitions = transitions.filter((t) => !taken.has(indexKey(t.widget, t.index)) && !taken.has(key(t.widget, t.event, t.next)));
      const missedWidgets = definition.states.map((s) => s.name).filter((name) => !reached.has(name));
      return {
        flow,
        widgets: { total: definition.states.length, covered: definition.states.length - missedWidgets.length, missed: missedWidgets },
        transitions: { total: transitions.length, covered: transitions.length - missedTransitions.length, missed: missedTransitions },
      };
    });
  }
}

const pct = (covered: number, total: number) => (total === 0 ? '100%' : `${Math.floor((covered / total) * 100)}%`);

export function transitionLabel(t: TransitionRef): string {
  return `${t.widget} -${t.event}${t.condition ? ` (${t.condition})` : t.event === 'match' ? ` #${t.index}` : ''}-> ${t.next}`;
}

export function coverageText(report: FlowCoverage[], relative: (path: string) => string = (p) => p, title = 'Coverage'): string {
  const lines = [title];
  for (const flow of report) {
    lines.push(
      `  ${relative(flow.flow)}  widgets ${flow.widgets.covered}/${flow.widgets.total} (${pct(flow.widgets.covered, flow.widgets.total)})  transitions ${flow.transitions.covered}/${flow.transitions.total} (${pct(flow.transitions.covered, flow.transitions.total)})`,
    );
    if (flow.widgets.missed.length) lines.push(`    never reached: ${flow.widgets.missed.join(', ')}`);
    for (const t of flow.transitions.missed) lines.push(`    not taken: ${transitionLabel(t)}`);
  }
  return lines.join('\n');
}
