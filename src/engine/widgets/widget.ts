// The contract every widget module implements. A widget is entered once; if it must wait (for an
// effect's result, a reply or a timer) it parks the execution, and `resume` gets the event.
import type { State, Transition } from '../../definition/types.ts';
import type { ChannelSwitch, Diagnostic, Effect, EffectResult, EngineEvent, EngineLimits, Frame, IdPrefix, Json, JsonObject, Wait } from '../types.ts';
import type { RenderResult } from '../liquid.ts';
import type { RegexBudget } from '../../lib/bounded-regex.ts';
import { parseJsonWithinDepth } from '../../lib/json-depth.ts';

export interface WidgetEnv {
  state: State;
  frame: Frame;
  now: number;
  limits: EngineLimits;
  newId: (prefix: IdPrefix) => string;
  /** Renders a Liquid template against the current frame's context. */
  render(template: unknown): RenderResult;
  /** The frame's Liquid context ({flow, trigger, widgets, contact}). */
  liquidContext(): Record<string, unknown>;
  /** This widget's outputs from an earlier run, if any (run-function merges `parsed`). */
  previousOutputs(): JsonObject | undefined;
  /** The call the execution drives, when it is a voice execution. */
  callSid?: string;
  /** The regex work this sprint may still do: per sprint, so a split routes the same way in a replay or a flow test. */
  regexBudget: RegexBudget;
  /** The execution's SID (`flow.sid`). */
  executionSid?: string;
  /** The execution's last step so far: the one that entered this widget (a subflow's steps name it as their parent step). */
  stepSid?: string;
}

export type Outcome =
  /**
   * Leave the widget by `event`; `transition` picks a specific one (split's `match`); `channel` moves
   * the execution onto another channel first (the next widget already sees it); `diagnostics` are alerts
   * that do not change the way out (Run Function's 81010 on `fail`). `error`: why a failure event was
   * taken, what a subflow that fails by it (nothing wired) returns to the parent (see interpreter's `follow`).
   */
  | {
      type: 'transition';
      event: string;
      outputs: JsonObject;
      transition?: Transition;
      effects?: Effect[];
      channel?: ChannelSwitch;
      diagnostics?: Diagnostic[];
      error?: { code: number; message: string };
    }
  /** Park the execution on this widget until `wait` is satisfied; `diagnostics` are non-fatal warnings. */
  | { type: 'wait'; wait: Wait; effects: Effect[]; diagnostics?: Diagnostic[] }
  /** The widget could not run (e.g. a Liquid error): take `failureEvent` if wired, else end the execution. */
  | { type: 'error'; code: number; message: string; failureEvent?: string; outputs?: JsonObject }
  /** Run a subflow inside this execution; the engine pushes the frame. */
  | { type: 'subflow'; frame: Frame; parentStepEvent: 'incomingParent' };

export interface WidgetHandler {
  enter(env: WidgetEnv): Outcome;
  /** Called with an event while parked on this widget; null means "not for me" (81002). */
  resume?(env: WidgetEnv, wait: Wait, event: EngineEvent): Outcome | null;
}

/** Parks the widget until the runtime has performed `effect`; its result comes back to `resume`. */
export function awaitEffect(effect: Extract<Effect, { effectId: string }>): Outcome {
  return { type: 'wait', wait: { kind: 'effect', effectId: effect.effectId }, effects: [effect] };
}

/** The result of the effect the widget waits on; null for any other event. */
export function effectResult(wait: Wait, event: EngineEvent): EffectResult | null {
  return event.type === 'effect-result' && wait.kind === 'effect' && event.effectId === wait.effectId ? event.result : null;
}

/** Reads `[{key, value}]` lists that exports write in several shapes. */
export function keyValueList(value: unknown): { key: string; value: string }[] {
  if (!Array.isArray(value)) return [];
  const out: { key: string; value: string }[] = [];
  for (const item of value) {
    if (item && typeof item === 'object' && typeof (item as { key?: unknown }).key === 'string') {
      const raw = (item as { value?: unknown }).value;
      out.push({ key: (item as { key: string }).key, value: raw === undefined || raw === null ? '' : String(raw) });
    }
  }
  return out;
}

/** Renders each value of a key/value list; the first Liquid error wins. */
export function renderList(env: WidgetEnv, list: { key: string; value: string }[]): { ok: true; value: { key: string; value: string }[] } | { ok: false; message: string } {
  const out: { key: string; value: string }[] = [];
  for (const item of list) {
    const rendered = env.render(item.value);
    if (!rendered.ok) return { ok: false, message: rendered.error.message };
    out.push({ key: item.key, value: rendered.value });
  }
  return { ok: true, value: out };
}

/**
 * A `{key, value, type}` item whose rendered value is parsed as JSON: real exports spell it
 * `"type": "json_object"` (Run Subflow parameters, Set Variables); `json`/`object` are accepted too.
 */
export function parsesAsJson(item: unknown): boolean {
  if (!item || typeof item !== 'object') return false;
  const type = (item as { type?: unknown }).type;
  return type === 'json_object' || type === 'json' || type === 'object';
}

/**
 * The spelling this flow uses for an event whose name is UNCONFIRMED (reference §9: Make Outgoing Call v1's
 * `answeredByMachine` or `answered-by-machine`): the first of `names` a transition wires to a widget, else the
 * first the widget's transitions list at all; undefined when they list none of them. The validator accepts
 * every spelling, so the flow's own transitions decide which one the widget leaves by.
 */
export function listedEvent(env: WidgetEnv, names: readonly string[]): string | undefined {
  const transitions = env.state.transitions;
  return names.find((name) => transitions.some((t) => t.event === name && t.next)) ?? names.find((name) => transitions.some((t) => t.event === name));
}

/**
 * Parses output `key` in place when it is JSON text (a virtual agent's VirtualAgentProviderData, a ConversationRelay
 * app's HandoffData); other text, or JSON nested too deep to keep, stays the text it came as.
 */
export function parseJsonOutput(outputs: JsonObject, key: string): void {
  const text = outputs[key];
  if (typeof text !== 'string') return;
  const parsed = parseJsonWithinDepth(text);
  if (parsed.ok) outputs[key] = parsed.value as Json;
}

/** A Conversation's SID (CH…). */
export const CONVERSATION_SID = /^CH[0-9a-fA-F]{32}$/;

/**
 * The Conversation the execution is in, if any: its flow address when that is a conversation SID (a conversation
 * message started it, or Start or Resume Conversation moved it there).
 */
export function executionConversation(env: WidgetEnv): string | undefined {
  const address = (env.liquidContext().flow as { channel?: { address?: unknown } } | undefined)?.channel?.address;
  return typeof address === 'string' && CONVERSATION_SID.test(address) ? address : undefined;
}

export function stringProp(env: WidgetEnv, name: string): string | undefined {
  const value = env.state.properties[name];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}
