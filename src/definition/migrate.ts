// Migrates legacy (pre-2019, v1-API era) definitions to the current shape (§8). Legacy exports still sit in
// public repos; importing them beats rejecting them. Current-shape input is returned untouched.

import { isPlainObject } from './parse.ts';
import type { FlowDefinition, State, Transition, WidgetType } from './types.ts';

export interface MigrationResult {
  definition: FlowDefinition;
  migrated: boolean;
  notes: string[];
}

/** CamelCase legacy type → current type string. */
export const LEGACY_TYPES: Record<string, WidgetType> = {
  InitialState: 'trigger',
  MessagePrompt: 'send-and-wait-for-reply',
  Message: 'send-message',
  Gather: 'gather-input-on-call',
  SayPlay: 'say-play',
  Branch: 'split-based-on',
  SetVariables: 'set-variables',
  Function: 'run-function',
  Webhook: 'make-http-request',
  SendToFlex: 'send-to-flex',
};

const STATE_SID = /^FF[0-9a-fA-F]{32}$/;

/** Legacy markers: a CamelCase type, a state `sid`, or a `next` holding a state SID. */
export function isLegacyDefinition(def: unknown): boolean {
  if (!isPlainObject(def) || !Array.isArray(def.states)) return false;
  return def.states.some((s) => {
    if (!isPlainObject(s)) return false;
    if (typeof s.type === 'string' && Object.hasOwn(LEGACY_TYPES, s.type)) return true;
    if (typeof s.sid === 'string' && STATE_SID.test(s.sid)) return true;
    return Array.isArray(s.transitions) &&
      s.transitions.some((t) => isPlainObject(t) && typeof t.next === 'string' && STATE_SID.test(t.next));
  });
}

export function migrateDefinition(def: FlowDefinition | Record<string, unknown>): MigrationResult {
  if (!isLegacyDefinition(def)) return { definition: def as FlowDefinition, migrated: false, notes: [] };
  const src = def as Record<string, unknown>;
  const notes: string[] = [];
  const rawStates = (src.states as unknown[]).filter(isPlainObject);

  // next held the target's SID; map SID → name before the sids are dropped.
  const nameBySid = new Map<string, string>();
  for (const s of rawStates) {
    if (typeof s.sid === 'string' && typeof s.name === 'string') nameBySid.set(s.sid, s.name);
  }

  const states = rawStates.map((s): State => {
    const name = s.name as string;
    let type = s.type as string;
    if (typeof type === 'string' && Object.hasOwn(LEGACY_TYPES, type)) type = LEGACY_TYPES[type]!;
    else if (typeof type === 'string' && /^[A-Z]/.test(type)) {
      notes.push(`Widget "${name}": legacy type "${type}" has no known current equivalent; kept as is`);
    }
    return {
      name,
      type: type as WidgetType,
      transitions: Array.isArray(s.transitions)
        ? s.transitions.filter(isPlainObject).map((t) => migrateTransition(t, name, nameBySid, notes))
        : (s.transitions as Transition[]),
      properties: isPlainObject(s.properties) ? migrateProperties(s.properties, type) : (s.properties as Record<string, unknown>),
    };
  });

  const out: FlowDefinition = {
    description: typeof src.description === 'string' ? src.description : 'Migrated legacy flow',
    states,
    initial_state: '',
    // Flows created before 2018-10-01 had concurrent calls off (§1.1); keep that behaviour.
    flags: isPlainObject(src.flags) ? (src.flags as FlowDefinition['flags']) : { allow_concurrent_calls: false },
  };
  if (!isPlainObject(src.flags)) notes.push('flags added with allow_concurrent_calls: false (pre-2018 default)');

  if (typeof src.initial_state === 'string' && src.initial_state !== '') {
    out.initial_state = nameBySid.get(src.initial_state) ?? src.initial_state;
  } else {
    const trigger = states.find((s) => s.type === 'trigger') ?? states[0];
    out.initial_state = trigger?.name ?? '';
    if (trigger) notes.push(`initial_state set to "${trigger.name}"`);
  }
  notes.unshift(`Legacy definition migrated (${states.length} states)`);
  return { definition: out, migrated: true, notes };
}

function migrateTransition(
  t: Record<string, unknown>,
  stateName: string,
  nameBySid: Map<string, string>,
  notes: string[],
): Transition {
  const out: Transition = { event: t.event as string };
  if (typeof t.next === 'string' && t.next !== '') {
    const mapped = nameBySid.get(t.next);
    if (mapped) out.next = mapped;
    else {
      out.next = t.next;
      if (STATE_SID.test(t.next)) notes.push(`Widget "${stateName}": next "${t.next}" names no state SID in the flow`);
    }
  }
  // Legacy exports put "conditions": [] on every transition; only split matches use them now.
  if (Array.isArray(t.conditions) && t.conditions.length > 0) out.conditions = t.conditions as Transition['conditions'];
  return out;
}

function migrateProperties(props: Record<string, unknown>, type: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (v === null) continue; // legacy exports spell "unset" as null
    if (k === 'save_response_as') continue; // legacy-only, no current meaning
    if (type === 'trigger' && k === 'flow_url') continue; // read-only webhook URL, derived from the flow SID
    out[k] = v;
  }
  return out;
}
