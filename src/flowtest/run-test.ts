// Runs one test case: starts the flow from its trigger, plays the script against the simulated
// clock and mocks, and checks the expectations (inline `expect` steps at their point in the script).
import { DEFAULT_MAX_CONTEXT_BYTES, type JsonObject, type TriggerEvent } from '../engine/types.ts';
import { checkParametersFit } from '../runtime/executions.ts';
import { conversationWebhookParams, messageWebhookParams } from '../channels/simulator/webhook-params.ts';
import { parseDuration } from './duration.ts';
import { BODY_TOO_LONG_CODE, BODY_TOO_LONG_MESSAGE, bodyTooLong } from '../lib/sms-segments.ts';
import { withoutPhoneFormatting } from '../lib/phone-format.ts';
import { outage } from './outage.ts';
import { checkExpectations, endText, notAWidget, sequenceItems, type Failure } from './expect.ts';
import { parseClock, type LoadedFlow } from './load.ts';
import { MockResponder, unusedHttpMocks, unusedOtherMocks } from './mocks.ts';
import { SIMULATED_ACCOUNT_SID, Simulation, type SimulationOptions, type StartSpec } from './simulation.ts';
import type { Mocks, Observation, ScriptStep, TestCase, TriggerSpec } from './types.ts';

export const DEFAULT_CONTACT = '+15551230001';
export const DEFAULT_FLOW_ADDRESS = '+15005550006';

export interface TestResult {
  file: string;
  flowPath: string;
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  skipReason?: string;
  failures: Failure[];
  observation: Observation | null;
  /** What the run had observed at each inline `expect` step, by script index (for --update). */
  checkpoints?: Map<number, Observation>;
  /** Worth knowing but not a failure: the test's HTTP or Function mocks that answered nothing. */
  notes?: string[];
  /** Whether a mock (the test's or the file's) answered anything in this run (for the file's unused mocks). */
  mockUsed?: (mock: object) => boolean;
  /** The request a mock was likely meant for when it answered nothing (near-miss.ts). */
  mockMiss?: (mock: object) => string | undefined;
  durationMs: number;
}

/** Inbound MessageSids numbered per run, so a run never depends on the tests before it. */
export function inboundSids(): () => string {
  let n = 0;
  return () => 'SM' + 'f'.repeat(8) + (++n).toString(16).padStart(24, '0');
}

const ACCOUNT_SID = SIMULATED_ACCOUNT_SID;

/** Twilio's inbound message webhook parameters, as the server's simulator channel posts them. */
export function messageParams(nextSid: () => string, from: string, to: string, body: string, media: string[] = [], extra: JsonObject = {}): JsonObject {
  return { ...messageWebhookParams({ sid: nextSid(), accountSid: ACCOUNT_SID, from, to, body, mediaUrl: media }), ...extra };
}

export const DEFAULT_CONVERSATION = 'CH' + '0'.repeat(31) + '1';
/** The CallSid of a test's call unless its trigger's params set one. */
export const DEFAULT_CALL_SID = 'CA' + '0'.repeat(31) + '1';
const DEFAULT_PARENT_FLOW = 'FW' + '0'.repeat(31) + '2';
const DEFAULT_PARENT_EXECUTION = 'FN' + '0'.repeat(31) + '2';
const DEFAULT_PARENT_STEP = 'FT' + '0'.repeat(31) + '1';

/**
 * The parameters of a Conversations webhook for a message added (what starts incomingConversationMessage
 * and what a reply in the conversation brings), as the server's simulator channel posts them: the Author
 * is the contact, the ConversationSid the flow's address. `index`: the messages in the conversation before
 * it, the flow's own included.
 */
export function conversationParams(nextSid: () => string, author: string, conversationSid: string, body: string, at: number, index: number, extra: JsonObject = {}): JsonObject {
  const params = conversationWebhookParams({
    accountSid: ACCOUNT_SID,
    chatServiceSid: 'IS' + '0'.repeat(31) + '1',
    conversationSid,
    messageSid: 'IM' + nextSid().slice(2),
    participantSid: 'MB' + '0'.repeat(31) + '1',
    source: 'SMS',
    author,
    body,
    index,
    dateCreated: at,
    webhookSid: 'WH' + '0'.repeat(31) + '1',
  });
  return { ...params, ...extra };
}

/** The Index of the contact's next message in a conversation: their earlier ones and the flow's sent ones count. */
export function nextConversationIndex(inboundSoFar: number, sim: Simulation): number {
  return inboundSoFar + sim.messages.filter((m) => m.status !== 'failed').length;
}

/** The trigger event a test's trigger starts the flow with. */
export function triggerEvent(trigger: TriggerSpec): TriggerEvent {
  if ('message' in trigger) return 'incomingMessage';
  if ('request' in trigger) return 'incomingRequest';
  if ('call' in trigger) return 'incomingCall';
  if ('conversation' in trigger) return 'incomingConversationMessage';
  return 'incomingParent';
}

export function startSpec(trigger: TriggerSpec, nextSid: () => string, now = Date.now()): StartSpec {
  if ('conversation' in trigger) {
    const t = trigger.conversation;
    const author = t.from ?? DEFAULT_CONTACT;
    const conversationSid = t.conversationSid ?? DEFAULT_CONVERSATION;
    const conversation = conversationParams(nextSid, author, conversationSid, t.body ?? '', now, 0, t.params);
    return { trigger: 'incomingConversationMessage', triggerData: { conversation }, data: {}, channelAddress: conversationSid, contactAddress: author };
  }
  if ('parent' in trigger) {
    // As the Run Subflow widget starts it: the parent's trigger data copied, plus `parent`.
    const t = trigger.parent;
    const from = t.from ?? DEFAULT_CONTACT;
    const to = t.to ?? DEFAULT_FLOW_ADDRESS;
    const parent = {
      parameters: (t.parameters ?? {}) as JsonObject,
      flow_sid: t.flowSid ?? DEFAULT_PARENT_FLOW,
      execution_sid: t.executionSid ?? DEFAULT_PARENT_EXECUTION,
      step_sid: t.stepSid ?? DEFAULT_PARENT_STEP,
    };
    // A parent's call (`trigger: {call: …}`): the subflow runs in it, as a voice parent's does, with the webhook's
    // fields the test leaves out (its CallSid first) as the simulator phone sends them.
    const call = t.trigger?.call;
    const triggerData = call !== null && typeof call === 'object' && !Array.isArray(call) ? { ...t.trigger, call: inboundCall(from, to, call as JsonObject) } : { ...(t.trigger ?? {}) };
    return { trigger: 'incomingParent', triggerData: { ...triggerData, parent }, data: {}, channelAddress: to, contactAddress: from };
  }
  if ('message' in trigger) {
    const t = trigger.message;
    // As the server's simulator and Twilio's webhooks give them: a phone number as its E.164.
    const from = withoutPhoneFormatting(t.from ?? DEFAULT_CONTACT);
    const to = withoutPhoneFormatting(t.to ?? DEFAULT_FLOW_ADDRESS);
    return { trigger: 'incomingMessage', triggerData: { message: messageParams(nextSid, from, to, t.body ?? '', t.media, t.params) }, data: {}, channelAddress: to, contactAddress: from };
  }
  if ('request' in trigger) {
    const t = trigger.request;
    // As the REST create keeps them (+1 (555) 123-0043 is the contact +15551230043).
    const from = withoutPhoneFormatting(t.from ?? DEFAULT_FLOW_ADDRESS);
    const to = withoutPhoneFormatting(t.to ?? DEFAULT_CONTACT);
    const parameters = (t.parameters ?? {}) as JsonObject;
    return { trigger: 'incomingRequest', triggerData: { request: { from, to, parameters } }, data: parameters, channelAddress: from, contactAddress: to };
  }
  const t = trigger.call;
  const from = withoutPhoneFormatting(t.from ?? DEFAULT_CONTACT);
  const to = withoutPhoneFormatting(t.to ?? DEFAULT_FLOW_ADDRESS);
  return { trigger: 'incomingCall' satisfies TriggerEvent, triggerData: { call: inboundCall(from, to, t.params ?? {}) }, data: {}, channelAddress: to, contactAddress: from };
}

/** The incoming call webhook's parameters, as the simulator phone posts them; `params` add to them or replace them. */
function inboundCall(from: string, to: string, params: JsonObject): JsonObject {
  return { AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01', CallSid: DEFAULT_CALL_SID, CallStatus: 'ringing', Called: to, Caller: from, Direction: 'inbound', From: from, To: to, ...params };
}

/**
 * A trigger the flow does not wire (`next` unset for its event) ends the execution at once, so a
 * test started that way checks nothing: it fails, unless it expects exactly that (path [Trigger]).
 */
function unwiredTrigger(flow: LoadedFlow, test: TestCase): Failure | null {
  const event = triggerEvent(test.trigger);
  const trigger = flow.definition.states.find((s) => s.type === 'trigger');
  if (!trigger || trigger.transitions.some((t) => t.event === event && t.next)) return null;
  const path = test.expect?.path && sequenceItems(test.expect.path);
  if (path && !path.contains && path.items.length === 1 && path.items[0] === trigger.name) return null;
  const wired = trigger.transitions.filter((t) => t.next).map((t) => TRIGGER_KEYS[t.event as TriggerEvent] ?? t.event);
  return {
    field: 'trigger',
    message: `the flow's ${trigger.name} has no next for ${event}: the execution ends at once${wired.length ? ` (the flow starts from: ${wired.join(', ')})` : ''}; expect path: [${trigger.name}] if that is what you test`,
  };
}

/** The test trigger that starts each event. */
const TRIGGER_KEYS: Record<TriggerEvent, string> = {
  incomingMessage: 'message',
  incomingCall: 'call',
  incomingConversationMessage: 'conversation',
  incomingRequest: 'request',
  incomingParent: 'parent',
};

/** The names of the flow's widgets, which expectations are checked against for typos. */
function widgetNames(flow: LoadedFlow): ReadonlySet<string> {
  return new Set(flow.definition.states.map((state) => state.name));
}

/** The variables the flow's Set Variables widgets set (their keys are literal): the others are typos of a test. */
function variableNames(flow: LoadedFlow): ReadonlySet<string> {
  const names = new Set<string>();
  for (const state of flow.definition.states) {
    if (state.type !== 'set-variables' || !Array.isArray(state.properties?.variables)) continue;
    for (const item of state.properties.variables as unknown[]) {
      const key = (item as { key?: unknown } | null)?.key;
      if (typeof key === 'string') names.add(key);
    }
  }
  return names;
}

/** The mocks that may name the widget they answer for. */
const WIDGET_MOCKS = ['messages', 'dial', 'enqueue', 'record', 'pay', 'virtualAgent', 'conversationRelay'] as const;

/**
 * Mocks that name a widget neither the flow nor any of its subflows has: a misspelt name, so the mock
 * never answers and the widget runs unmocked (a busy line that never rings busy). One failure each.
 */
function unknownMockWidgets(input: Pick<RunInput, 'flow' | 'test' | 'fileMocks' | 'subflows'>): Failure[] {
  const names = new Set(widgetNames(input.flow));
  for (const subflow of input.subflows.values()) for (const name of subflow ? widgetNames(subflow) : []) names.add(name);
  const failures: Failure[] = [];
  for (const [mocks, owner] of [[input.test.mocks, ''], [input.fileMocks, "the file's "]] as const) {
    for (const kind of WIDGET_MOCKS) {
      ((mocks?.[kind] ?? []) as { widget?: string }[]).forEach((mock, i) => {
        if (typeof mock.widget !== 'string' || names.has(mock.widget)) return;
        const field = `${owner}mocks.${kind}[${i}].widget`;
        failures.push({ field, message: `${field}: ${notAWidget(mock.widget, names)}, so the mock answers nothing`, notInFlow: [mock.widget] });
      });
    }
  }
  return failures;
}

function stepLabel(step: ScriptStep): string {
  const [key, value] = Object.entries(step)[0]!;
  return key === 'expect' ? 'expect' : `${key}: ${typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value)}`;
}

export interface RunInput {
  file: string;
  flow: LoadedFlow;
  test: TestCase;
  fileMocks?: Mocks | undefined;
  /** By FlowSid; null: the test declares the subflow missing. */
  subflows: Map<string, LoadedFlow | null>;
  /** The engine's rules and limits (the configuration's, as the server runs executions). */
  options?: SimulationOptions | undefined;
  /** The file's `clock`; the test's own wins. */
  fileClock?: string | undefined;
}

/** The simulation's options for a test: the configured rules, the clock starting at the test's (or the file's) `clock`. */
export function testOptions(input: Pick<RunInput, 'options' | 'fileClock' | 'test'>): SimulationOptions {
  const clock = input.test.clock ?? input.fileClock;
  const startAt = clock === undefined ? null : parseClock(clock);
  if (clock !== undefined && startAt === null) throw new Error(`clock ${JSON.stringify(clock)} is not a date and time that exists`);
  return { ...input.options, ...(startAt !== null ? { startAt } : {}) };
}

/**
 * A note for a script step that meets the flow while an answer is on its way (a mock's `delay`, a call
 * ringing out): the flow is still in that widget, as on a server, which the test may not mean.
 */
function inFlightNote(sim: Simulation, where: string, step: ScriptStep): string | null {
  const busy = sim.inFlight()[0];
  // A hang-up while a placed call rings is the caller's own call ending: nothing the flow waits on. A virtual agent
  // has the conversation: a message then is the agent's, as on a server.
  if (!busy || busy.what === 'session' || ('hangup' in step && busy.what !== 'request')) return null;
  const into = seconds(sim.now - busy.since);
  const of = seconds(busy.dueAt - busy.since);
  const timedOut = busy.event.type === 'effect-result' && busy.event.result.kind === 'http-failed' && busy.event.result.reason === 'timeout';
  const what =
    busy.what === 'request'
      ? `the request of widget '${busy.widget}' was out (${into} s into its ${of} s ${timedOut ? 'HTTP timeout' : "mock's `delay`"})`
      : `the call widget '${busy.widget}' placed was ringing (${into} s into its ${of} s timeout)`;
  const effect = 'send' in step ? 'the flow was not waiting for a message, so it ignored it (81002), as a server does' : 'the flow learnt of it in that widget (81002) and went on without the call, as on a server';
  return `${where} came while ${what}: ${effect}; to act after the answer, \`wait: ${seconds(busy.dueAt - sim.now)}s\` first`;
}

/** Milliseconds as seconds, to a tenth. */
function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/** Plays the trigger and the script; returns the simulation, any script-level failures and notes. */
export function play(input: RunInput): { sim: Simulation; failures: Failure[]; notes: string[]; checkpoints: Map<number, Observation>; responder: MockResponder } {
  const { test, flow } = input;
  const failures: Failure[] = [];
  const notes: string[] = [];
  const checkpoints = new Map<number, Observation>();
  let sim: Simulation | null = null;
  const options = testOptions(input);
  const responder = new MockResponder([test.mocks, input.fileMocks], input.subflows, () => sim!.newMessageSid(), options.outboundPolicy);
  sim = new Simulation(flow.definition, responder, options);
  const nextSid = inboundSids();
  const start = startSpec(test.trigger, nextSid, sim.now);
  const unwired = unwiredTrigger(flow, test);
  if (unwired) failures.push(unwired);
  sim.start(start);
  const conversation = 'conversation' in test.trigger;
  let inbound = 1; // the trigger's message
  (test.script ?? []).forEach((step, i) => {
    const where = `script[${i}] (${stepLabel(step)})`;
    const needsActive = !('wait' in step) && !('outage' in step) && !('expect' in step);
    if (needsActive && !sim.active) {
      failures.push({ field: `script[${i}]`, message: `${where}: the execution already ended (${endText(sim.observation())}) at '${sim.observation().path.at(-1) ?? '?'}'` });
      return;
    }
    // A caller on hold (the flow making a request) acts once the flow talks to them again; a text or a
    // hang-up comes when the script says, and may meet the flow still waiting for an answer.
    if ('digits' in step || 'speech' in step || 'return' in step) sim.finishInFlight({ untilCallerAsked: true });
    if ('send' in step || 'hangup' in step) {
      const note = inFlightNote(sim, where, step);
      if (note) notes.push(note);
    }
    if ('send' in step) {
      const s = typeof step.send === 'string' ? { body: step.send } : step.send;
      // The server's simulator refuses the text (400, 21617) before anything reaches the flow, which goes on waiting.
      const refused = refusedText(s.body);
      if (refused) {
        failures.push({ field: `script[${i}].send`, message: `script[${i}] (send: a text of ${(s.body ?? '').length} characters): ${refused}; the flow never gets it` });
        return;
      }
      sim.inbound(
        conversation
          ? conversationParams(nextSid, start.contactAddress, start.channelAddress, s.body ?? '', sim.now, nextConversationIndex(inbound++, sim), s.params)
          : messageParams(nextSid, start.contactAddress, start.channelAddress, s.body ?? '', s.media, s.params),
      );
    } else if ('wait' in step) {
      sim.advance(parseDuration(step.wait));
    } else if ('outage' in step) {
      outage(sim, parseDuration(step.outage));
    } else if ('end' in step) {
      sim.end(step.end);
    } else if ('expect' in step) {
      const observed = sim.observation();
      checkpoints.set(i, observed);
      failures.push(...checkExpectations(step.expect, observed, `script[${i}].expect.`, widgetNames(flow), variableNames(flow)));
    } else if ('return' in step) {
      if (!sim.redirectReturn(step.return === true ? {} : step.return)) {
        failures.push({ field: `script[${i}]`, message: `${where}: no TwiML Redirect is waiting for the call to come back at '${sim.observation().path.at(-1) ?? '?'}'` });
      }
    } else if ('hangup' in step) {
      if (!sim.hangup()) failures.push({ field: `script[${i}]`, message: `${where}: there is no call to hang up (start the test with a call trigger)` });
    } else {
      const input = 'digits' in step ? { digits: step.digits } : { speech: step.speech };
      if (!sim.callerInput(input, (what) => notes.push(`${where}: ${what}`))) {
        failures.push({ field: `script[${i}]`, message: `${where}: nothing is listening for the caller (no Gather is waiting) at '${sim.observation().path.at(-1) ?? '?'}'` });
      }
    }
  });
  // What is still on its way arrives, as it would on a server once the script has nothing more to do.
  sim.finishInFlight();
  return { sim, failures, notes, checkpoints, responder };
}

/**
 * Why the server's simulator refuses a contact's text (400 with Twilio's 21617, as Twilio takes no longer
 * text), or null: a body over 1,600 characters (UTF-16 code units, as Twilio counts) reaches no flow.
 */
function refusedText(body: string | undefined): string | null {
  if (body === undefined || !bodyTooLong(body)) return null;
  return `the simulator refuses it with ${BODY_TOO_LONG_CODE} (${BODY_TOO_LONG_MESSAGE}), as Twilio does`;
}

/** A trigger text the server's simulator refuses: the test fails as the text would, and nothing runs. */
function refusedTrigger(trigger: TriggerSpec): Failure | null {
  const [field, body] = 'message' in trigger ? ['trigger.message.body', trigger.message.body] : 'conversation' in trigger ? ['trigger.conversation.body', trigger.conversation.body] : [null, undefined];
  const refused = field && refusedText(body);
  return refused ? { field, message: `${field} (a text of ${body!.length} characters): ${refused}; no execution starts` } : null;
}

/**
 * Parameters the server refuses at the REST create (400: too big for the execution's context, which holds
 * them twice): the test fails as the create would, rather than run an execution the server never starts.
 */
function refusedParameters(input: RunInput): Failure | null {
  if (!('request' in input.test.trigger)) return null;
  try {
    checkParametersFit((input.test.trigger.request.parameters ?? {}) as JsonObject, input.options?.limits?.maxContextBytes ?? DEFAULT_MAX_CONTEXT_BYTES);
    return null;
  } catch (error) {
    return { field: 'trigger.request.parameters', message: `the server refuses to create this execution (400): ${(error as Error).message}` };
  }
}

export function runTest(input: RunInput): TestResult {
  const started = performance.now();
  const base = { file: input.file, flowPath: input.flow.path, name: input.test.name };
  if (input.test.skip) {
    return { ...base, status: 'skipped', ...(typeof input.test.skip === 'string' ? { skipReason: input.test.skip } : {}), failures: [], observation: null, durationMs: 0 };
  }
  const refused = refusedTrigger(input.test.trigger) ?? refusedParameters(input);
  if (refused) return { ...base, status: 'failed', failures: [refused], observation: null, durationMs: performance.now() - started };
  let failures: Failure[];
  let observation: Observation | null = null;
  let checkpoints: Map<number, Observation> | undefined;
  let notes: string[] = [];
  let mockUsed: ((mock: object) => boolean) | undefined;
  let mockMiss: ((mock: object) => string | undefined) | undefined;
  try {
    const played = play(input);
    checkpoints = played.checkpoints;
    mockUsed = (mock) => played.responder.used(mock);
    mockMiss = (mock) => played.responder.miss(mock);
    notes = [...played.notes, ...played.responder.unmockedVerbs(), ...played.responder.refusals(), ...unusedHttpMocks(input.test.mocks, mockUsed, mockMiss), ...unusedOtherMocks(input.test.mocks, mockUsed)];
    observation = played.sim.observation();
    failures = [
      ...unknownMockWidgets(input),
      ...observation.problems.map((p) => ({ field: 'runner', message: p })),
      ...played.failures,
      ...checkExpectations(input.test.expect ?? {}, observation, '', widgetNames(input.flow), variableNames(input.flow)),
    ];
    if (input.test.expect?.end === undefined && observation.end === 'error') {
      failures.push({ field: 'end', message: `the execution ended with ${endText(observation)} (add \`end: { error: ${observation.error?.code} }\` if that is intended)` });
    }
  } catch (error) {
    failures = [{ field: 'runner', message: (error as Error).message }];
  }
  return {
    ...base,
    status: failures.length ? 'failed' : 'passed',
    failures,
    observation,
    ...(checkpoints?.size ? { checkpoints } : {}),
    ...(notes.length ? { notes } : {}),
    ...(mockUsed ? { mockUsed } : {}),
    ...(mockMiss ? { mockMiss } : {}),
    durationMs: performance.now() - started,
  };
}
