// Shared pieces of the voice widgets. A voice widget parks the execution on a `call` wait that holds
// the TwiML the caller gets next; the API layer writes it as XML with callback URLs into this
// execution, and the call's next request comes back as a `call-callback` event (or `call-ended`).
import type { CallWait, Diagnostic, Effect, EngineEvent, JsonObject, TwimlNode } from '../types.ts';
import { keyValueList, stringProp, type Outcome, type WidgetEnv } from './widget.ts';

/** Voice widgets need a call; in a message or REST execution they fail instead of guessing. */
export function requireCall(env: WidgetEnv, failureEvent?: string): Outcome | null {
  if (env.callSid) return null;
  return {
    type: 'error',
    code: 81003,
    message: `Widget '${env.state.name}' (${env.state.type}) needs a voice call, and this execution has none`,
    ...(failureEvent ? { failureEvent } : {}),
  };
}

export function callWait(
  env: WidgetEnv,
  twiml: TwimlNode[],
  extra: Partial<Omit<CallWait, 'kind' | 'callbackId' | 'twiml'>> = {},
  effects: Effect[] = [],
): Outcome {
  const wait: CallWait = { kind: 'call', callbackId: env.newId('EF'), twiml, ...extra };
  return { type: 'wait', wait, effects };
}

/** The callback event for this wait, or null when the event is for someone else. */
export function callbackFor(wait: unknown, event: EngineEvent): Extract<EngineEvent, { type: 'call-callback' }> | null {
  if (event.type !== 'call-callback') return null;
  if (!wait || typeof wait !== 'object' || (wait as CallWait).kind !== 'call') return null;
  return (wait as CallWait).callbackId === event.callbackId ? event : null;
}

/**
 * How long Record and Dial wait, after the call's final status, for the action Twilio requests when the
 * caller hangs up during them (Record: the recording with Digits=hangup; Dial: DialCallStatus). Twilio
 * sends both at about the same time and either may arrive first; the action must decide either way.
 */
export const HANGUP_ACTION_GRACE_MS = 5_000;

/**
 * Record and Dial's `resume` for the hangup: the call's final status parks the widget on a short timer
 * (a repeat of it changes nothing); the timer, if the action never came, leaves by `hangup` with the
 * status's parameters. Returns null for any other event.
 */
export function hangupAwaitingAction(env: WidgetEnv, wait: unknown, event: EngineEvent): Outcome | null {
  if (!wait || typeof wait !== 'object' || (wait as CallWait).kind !== 'call') return null;
  const call = wait as CallWait;
  if (event.type === 'call-ended') {
    if (call.hungUp) return { type: 'wait', wait: call, effects: [] };
    const timerId = env.newId('TM');
    const dueAt = env.now + HANGUP_ACTION_GRACE_MS;
    return { type: 'wait', wait: { ...call, hungUp: callbackOutputs(event.params), timerId, dueAt }, effects: [{ type: 'set-timer', timerId, dueAt }] };
  }
  if (event.type === 'timer' && call.hungUp && event.timerId === call.timerId) return { type: 'transition', event: 'hangup', outputs: call.hungUp };
  return null;
}

/** The action arrived after the final status: its grace timer is no longer needed. */
export function cancelHangupTimer(wait: CallWait): Effect[] {
  return wait.hungUp && wait.timerId ? [{ type: 'cancel-timer', timerId: wait.timerId }] : [];
}

/** `<Redirect>` back into the execution: the caller heard what came before it. */
export function redirectBack(fallthrough = false): TwimlNode {
  return { verb: 'Redirect', attributes: { method: 'POST' }, callback: fallthrough ? { fallthrough: true } : {} };
}

/** Renders a string property with Liquid; `undefined` when absent or empty. */
export function renderProp(env: WidgetEnv, name: string, failureEvent?: string): { ok: true; value: string | undefined } | { ok: false; outcome: Outcome } {
  const template = stringProp(env, name);
  if (template === undefined) return { ok: true, value: undefined };
  const rendered = env.render(template);
  if (!rendered.ok) {
    return { ok: false, outcome: { type: 'error', code: 84003, message: `${name}: ${rendered.error.message}`, ...(failureEvent ? { failureEvent } : {}) } };
  }
  const value = rendered.value.trim();
  return { ok: true, value: value === '' ? undefined : value };
}

/** Renders several properties; the first Liquid error wins. */
export function renderProps(env: WidgetEnv, names: string[], failureEvent?: string): { ok: true; values: Record<string, string | undefined> } | { ok: false; outcome: Outcome } {
  const values: Record<string, string | undefined> = {};
  for (const name of names) {
    const rendered = renderProp(env, name, failureEvent);
    if (!rendered.ok) return rendered;
    values[name] = rendered.value;
  }
  return { ok: true, values };
}

/** An integer property (exports write numbers as strings too); `fallback` when absent or invalid. */
export function intProp(env: WidgetEnv, name: string, fallback?: number): number | undefined {
  const raw = env.state.properties[name];
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(value) ? Math.trunc(value) : fallback;
}

/** Studio's warning for a property that is invalid after Liquid; the default is used instead (§6.7). */
export const INVALID_PROPERTY_WARNING = 81028;

/** A whole-number property read after Liquid; `warning` when the written value was unusable. */
export interface RenderedInt {
  value: number | undefined;
  warning?: Diagnostic;
}

/**
 * A whole-number property the reference types as a string (§1.3: Send to Flex `priority`/`timeout`,
 * TwiML Redirect `timeout`, Connect Call To `time_limit`, the machine detection settings), so Liquid in
 * it is rendered first ("{{flow.variables.t}}"), as Send & Wait For Reply's timeout is; plain integers
 * from exports are taken too. A value that is not a whole number from `min` to `max` after rendering (or
 * a Liquid error) gives `fallback` with an 81028 warning naming it; absent or empty is `fallback` silently.
 * `label` names the setting in the warning ("TwiML Redirect timeout").
 */
export function renderedIntProp(env: WidgetEnv, name: string, label: string, range: { min: number; max: number }, fallback?: number): RenderedInt {
  const raw = env.state.properties[name];
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return { value: fallback };
  let text: string;
  if (typeof raw === 'string') {
    const rendered = env.render(raw);
    if (!rendered.ok) return invalidInt(env, `${label} could not be rendered (${rendered.error.message})`, fallback);
    text = rendered.value.trim();
  } else text = typeof raw === 'number' ? String(raw) : JSON.stringify(raw);
  const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isSafeInteger(value) && value >= range.min && value <= range.max) return { value };
  const shown = typeof raw === 'string' && raw.trim() !== text ? `'${raw}' (rendered '${text}')` : `'${text}'`;
  return invalidInt(env, `${label} ${shown} is not a whole number from ${range.min} to ${range.max}`, fallback);
}

function invalidInt(env: WidgetEnv, why: string, fallback: number | undefined): RenderedInt {
  return { value: fallback, warning: propertyWarning(env, `${why}; ${fallback === undefined ? 'it is left out' : `the default ${fallback} is used`}`) };
}

/** The 81028 warning for a property of this widget that is unusable after Liquid. */
export function propertyWarning(env: WidgetEnv, message: string): Diagnostic {
  return { level: 'warning', code: INVALID_PROPERTY_WARNING, message, widget: env.state.name };
}

/** Attaches the warnings of properties read on entry to a widget's outcome (only a wait carries them). */
export function withWarnings(outcome: Outcome, ...read: { warning?: Diagnostic }[]): Outcome {
  const warnings = read.flatMap((r) => (r.warning ? [r.warning] : []));
  if (warnings.length === 0 || outcome.type !== 'wait') return outcome;
  return { ...outcome, diagnostics: [...(outcome.diagnostics ?? []), ...warnings] };
}

/** A boolean property read after Liquid; `warning` when the written value was unusable. */
export interface RenderedBool {
  value: boolean;
  warning?: Diagnostic;
}

/**
 * A boolean property the reference types as a string (§1.3: Gather `profanity_filter`, Record
 * Voicemail `play_beep`, Connect Virtual Agent v1 `sentiment_analysis`), so Liquid in it is rendered
 * first ("{{flow.variables.beep}}"), then read as "true"/"false" in any case; real booleans from
 * exports are taken too. Anything else after rendering (or a Liquid error) gives `fallback` with an
 * 81028 warning naming it; absent or empty is `fallback` silently. `label` names the setting in the warning.
 */
export function renderedBoolProp(env: WidgetEnv, name: string, label: string, fallback: boolean): RenderedBool {
  const raw = env.state.properties[name];
  if (typeof raw === 'boolean') return { value: raw };
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return { value: fallback };
  const invalid = (why: string): RenderedBool => ({ value: fallback, warning: propertyWarning(env, `${label} ${why}; the default ${fallback} is used`) });
  if (typeof raw !== 'string') return invalid(`'${JSON.stringify(raw)}' is not "true" or "false"`);
  const rendered = env.render(raw);
  if (!rendered.ok) return invalid(`could not be rendered (${rendered.error.message})`);
  const text = rendered.value.trim();
  if (text.toLowerCase() === 'true') return { value: true };
  if (text.toLowerCase() === 'false') return { value: false };
  return invalid(`${raw.trim() !== text ? `'${raw}' (rendered '${text}')` : `'${text}'`} is not "true" or "false"`);
}

/** A boolean property written as a boolean or as "true"/"false" (boolean-typed ones: no Liquid). */
export function boolProp(env: WidgetEnv, name: string, fallback: boolean): boolean {
  const raw = env.state.properties[name];
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && raw.trim() !== '') return raw.trim().toLowerCase() === 'true';
  return fallback;
}

/** TTS voice/language attributes; Studio's "Default" means the account's defaults (no attribute). */
export function ttsAttributes(voice: string | undefined, language: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (voice && voice.toLowerCase() !== 'default') attributes.voice = voice;
  if (language && language.toLowerCase() !== 'default') attributes.language = language;
  return attributes;
}

/** Times a prompt may repeat (§2.4, §2.5): Twilio repeats `loop="0"` forever, so 0 is not allowed. */
export const PROMPT_LOOP_RANGE = { min: 1, max: 99 } as const;

/**
 * The prompt of say-play and gather: Say (with voice/language/loop), Play (a URL), or Play digits.
 * Returns null when the widget has nothing to say. A `loop` that is not a whole number from 1 to 99 after
 * Liquid plays once (the default) with an 81028 `warning`, never `loop="0"` (Twilio's "forever"); the
 * warning comes only with a Say or Play that would carry the loop.
 */
export function promptNode(env: WidgetEnv): { ok: true; node: TwimlNode | null; voice?: string; language?: string; warning?: Diagnostic } | { ok: false; outcome: Outcome } {
  const props = renderProps(env, ['say', 'play', 'digits', 'voice', 'language']);
  if (!props.ok) return props;
  const { say, play, digits, voice, language } = props.values;
  const label = env.state.type === 'gather-input-on-call' ? 'Gather loop' : 'Say/Play loop';
  const loop = renderedIntProp(env, 'loop', label, PROMPT_LOOP_RANGE, 1);
  const loopAttr: Record<string, number> = loop.value !== undefined && loop.value !== 1 ? { loop: loop.value } : {};
  const mode = stringProp(env, 'say_type') ?? stringProp(env, 'mode');
  let node: TwimlNode | null = null;
  if (digits && (mode === 'digits' || (!say && !play))) node = { verb: 'Play', attributes: { digits } };
  else if (play && (mode === 'play' || !say)) node = { verb: 'Play', attributes: { ...loopAttr }, text: play };
  else if (say !== undefined) node = { verb: 'Say', attributes: { ...ttsAttributes(voice, language), ...loopAttr }, text: say };
  const loops = node !== null && node.text !== undefined;
  return { ok: true, node, ...(voice ? { voice } : {}), ...(language ? { language } : {}), ...(loops && loop.warning ? { warning: loop.warning } : {}) };
}

/** A Liquid-rendered `{key, value}` list as TwiML `<Parameter>` nouns (or `<Config>`, named by `verb`). */
export function parameterNodes(env: WidgetEnv, property: string, verb = 'Parameter'): { ok: true; nodes: TwimlNode[] } | { ok: false; outcome: Outcome } {
  const nodes: TwimlNode[] = [];
  for (const item of keyValueList(env.state.properties[property])) {
    const rendered = env.render(item.value);
    if (!rendered.ok) return { ok: false, outcome: { type: 'error', code: 84003, message: `${property}.${item.key}: ${rendered.error.message}` } };
    nodes.push({ verb, attributes: { name: item.key, value: rendered.value } });
  }
  return { ok: true, nodes };
}

/** Whether `value` is an absolute http(s) URL (Studio's TwiML Redirect `fail` and 81028 checks). */
export function isHttpUrl(value: string | undefined): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * A hold-music URL (Enqueue Call `wait_url`, Send to Flex `waitUrl`) already rendered: one that is not an
 * absolute http(s) URL is left out (the default hold music) with Studio's 81028 warning (§6.7); absent or
 * empty is left out silently. `label` names the setting in the warning.
 */
export function waitUrlProp(env: WidgetEnv, name: string, label: string, rendered: string | undefined): { value: string | undefined; warning?: Diagnostic } {
  if (rendered === undefined) return { value: undefined };
  if (isHttpUrl(rendered)) return { value: rendered };
  const raw = stringProp(env, name) ?? '';
  const shown = raw.trim() !== rendered ? `'${raw}' (rendered '${rendered}')` : `'${rendered}'`;
  return { value: undefined, warning: propertyWarning(env, `${label} ${shown} is not an http(s) URL; it is left out and the default hold music plays`) };
}

/** The callback's parameters as widget outputs (verbatim, as Studio passes them through). */
export function callbackOutputs(params: JsonObject, extra: JsonObject = {}): JsonObject {
  return { ...params, ...extra };
}
