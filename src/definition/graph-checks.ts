// The checks of a flow as a graph, beside each widget's own schema and property checks (validate.ts): what the
// transitions lead into (never the trigger) and reach from initial_state, and the subflows its Run Subflow
// widgets link: Studio's caps on how many and at which revisions, and the 2,000-widget rule, which counts the
// linked subflows' widgets and so needs the stored flows: the runtime applies it (subflowTargets,
// linkedWidgetCountIssue) when a flow is saved.

import { widgetLabel as who } from './issue-labels.ts';
import { isPlainObject } from './parse.ts';
import type { ValidationIssue } from './types.ts';

/** Where the in-flow graph checks report: the validator's report. */
export interface GraphIssues {
  error(path: string, message: string): void;
  warn(path: string, message: string): void;
}

/** A literal Run Subflow target (§2.20): the flow SID and the revision selector; the validator's property check reads them too. */
export const FLOW_SID = /^FW[0-9a-fA-F]{32}$/;
export const REVISION = /^(?:\d+|LatestPublished|LatestRevision|LatestDraft)$/;

/** The Trigger only starts a flow: the canvas cannot connect anything into it (§8). */
export function checkIntoTrigger(states: unknown[], names: Map<string, number>, r: GraphIssues): void {
  states.forEach((s, i) => {
    if (!isPlainObject(s) || !Array.isArray(s.transitions)) return;
    s.transitions.forEach((t, j) => {
      if (!isPlainObject(t) || typeof t.next !== 'string') return;
      const idx = names.get(t.next);
      const target = idx === undefined ? undefined : states[idx];
      if (isPlainObject(target) && target.type === 'trigger') {
        r.error(`#/states/${i}/transitions/${j}/next`, `${who(s, i)}: transitions[${j}].next "${t.next}" leads into the trigger widget; nothing may transition into the trigger`);
      }
    });
  });
}

/** Widgets no `next` chain from initial_state reaches never run (Studio flags them on the canvas). */
export function checkReachability(states: unknown[], start: number, names: Map<string, number>, r: GraphIssues): void {
  const seen = new Set<number>([start]);
  const queue = [start];
  while (queue.length) {
    const s = states[queue.shift()!];
    if (!isPlainObject(s) || !Array.isArray(s.transitions)) continue;
    for (const t of s.transitions) {
      if (!isPlainObject(t) || typeof t.next !== 'string') continue;
      const idx = names.get(t.next);
      if (idx !== undefined && !seen.has(idx)) {
        seen.add(idx);
        queue.push(idx);
      }
    }
  }
  states.forEach((s, i) => {
    if (!seen.has(i) && isPlainObject(s) && typeof s.name === 'string' && names.get(s.name) === i) {
      r.warn(`#/states/${i}`, `${who(s, i)} is not reachable from the initial state: no chain of transitions leads to it, so it never runs`);
    }
  });
}

const MAX_RUN_SUBFLOW_WIDGETS = 150;
const MAX_DISTINCT_SUBFLOWS = 50;

/**
 * Studio's subflow rules across the flow (§1.5, §2.20): at most 150 Run Subflow widgets, at most 50
 * distinct subflows, and one revision per subflow. Warnings: where Studio enforces them (save, publish
 * or run) is not documented, and the engine runs such a flow as written.
 */
export function checkSubflowReferences(states: unknown[], r: GraphIssues): void {
  const revisionsBySid = new Map<string, Map<string, number>>();
  let widgets = 0;
  states.forEach((s, i) => {
    if (!isPlainObject(s) || s.type !== 'run-subflow' || !isPlainObject(s.properties)) return;
    widgets++;
    const sid = s.properties.flow_sid;
    if (typeof sid !== 'string' || !FLOW_SID.test(sid)) return;
    const rev = s.properties.flow_revision;
    const revisions = revisionsBySid.get(sid) ?? new Map<string, number>();
    const key = rev === undefined ? 'LatestPublished' : String(rev);
    if (!revisions.has(key)) revisions.set(key, i);
    revisionsBySid.set(sid, revisions);
  });
  if (widgets > MAX_RUN_SUBFLOW_WIDGETS) {
    r.warn('#/states', `The flow has ${widgets} Run Subflow widgets; Studio allows at most ${MAX_RUN_SUBFLOW_WIDGETS}`);
  }
  if (revisionsBySid.size > MAX_DISTINCT_SUBFLOWS) {
    r.warn('#/states', `The flow runs ${revisionsBySid.size} different subflows; Studio allows at most ${MAX_DISTINCT_SUBFLOWS}`);
  }
  for (const [sid, revisions] of revisionsBySid) {
    if (revisions.size < 2) continue;
    const [, second] = [...revisions.values()];
    r.warn(
      `#/states/${second}/properties/flow_revision`,
      `Subflow ${sid} is run at different revisions (${[...revisions.keys()].join(', ')}); Studio requires every Run Subflow of one subflow to use the same revision`,
    );
  }
}

/** Studio's ceiling on a flow's size, counting every linked subflow instance's widgets (§1.5). */
export const MAX_LINKED_WIDGETS = 2000;

/** A Run Subflow widget's literal target: the subflow's SID and its revision selector as written. */
export interface SubflowTarget {
  flowSid: string;
  /** `LatestPublished` (the default), `LatestRevision`, `LatestDraft` or a revision number. */
  revision: string;
}

/** The revision selector a Run Subflow's `flow_revision` means; undefined when it is not a literal one. */
function subflowRevision(rev: unknown): string | undefined {
  if (rev === undefined) return 'LatestPublished';
  if (typeof rev === 'number') return Number.isInteger(rev) && rev >= 1 ? String(rev) : undefined;
  return typeof rev === 'string' && REVISION.test(rev) ? rev : undefined;
}

/**
 * The target of each Run Subflow widget of `definition` with a literal flow SID and revision, one entry
 * per widget (each instance counts towards the linked size). Liquid, placeholders and malformed values
 * are left out: their subflow is only known at run time (and the validator already reports them).
 */
export function subflowTargets(definition: unknown): SubflowTarget[] {
  if (!isPlainObject(definition) || !Array.isArray(definition.states)) return [];
  const targets: SubflowTarget[] = [];
  for (const s of definition.states) {
    if (!isPlainObject(s) || s.type !== 'run-subflow' || !isPlainObject(s.properties)) continue;
    const sid = s.properties.flow_sid;
    const revision = subflowRevision(s.properties.flow_revision);
    if (typeof sid === 'string' && FLOW_SID.test(sid) && revision !== undefined) targets.push({ flowSid: sid, revision });
  }
  return targets;
}

/**
 * Studio's 2,000-widget rule (§1.5): the flow's own widgets plus, for every Run Subflow widget, the
 * widgets of the subflow revision it runs (`widgetsOf`, undefined when that subflow is not found, which
 * counts nothing). A warning, as the sibling rules of checkSubflowReferences: the count depends on
 * other flows, which change after this one is saved, and the engine runs such a flow as written.
 */
export function linkedWidgetCountIssue(
  definition: unknown,
  widgetsOf: (target: SubflowTarget) => number | undefined,
): ValidationIssue | null {
  if (!isPlainObject(definition) || !Array.isArray(definition.states)) return null;
  const own = definition.states.length;
  const targets = subflowTargets(definition);
  let linked = 0;
  for (const target of targets) linked += widgetsOf(target) ?? 0;
  if (own + linked <= MAX_LINKED_WIDGETS) return null;
  return {
    property_path: '#/states',
    message:
      `The flow has ${own + linked} widgets counting its ${targets.length} Run Subflow instance${targets.length === 1 ? '' : 's'} ` +
      `(${own} of its own, ${linked} in subflows); Studio cannot publish a flow of more than ${MAX_LINKED_WIDGETS}`,
  };
}
