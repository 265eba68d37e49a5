// --record: turns a recorded conversation (the simulator transcript plus the execution's context
// and steps) into a test file whose expectations are what happened, so it passes as recorded and
// fails when the flow's behaviour changes. The subflows it ran are pulled from the server (the
// revision that ran) into files beside the test, and named under mocks.subflows.
import { writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { stringify } from 'yaml';
import type { FlowDefinition } from '../definition/types.ts';
import type { JsonObject } from '../engine/types.ts';
import { deriveInputs, recordedMessages, type RecordedStep } from './derive.ts';
import { runnableShape } from '../definition/runnable-shape.ts';
import { flowTextProblems, MISSING_SUBFLOW } from './load.ts';
import { ANSWERED_BY, CONVERSATION_RELAY_STATUSES, DIAL_STATUSES, ENQUEUE_RESULTS, isMockableStatus, PAY_RESULTS, VIRTUAL_AGENT_STATUSES } from './mock-values.ts';
import { OUTGOING_CALL_TYPES, callVerbOf, placedCall, refusedFlexTask, refusedVirtualAgent, type RecordedCallVerb } from './recorded-answers.ts';
import { mainPath } from './simulation.ts';
import { ApiFailure, type RemoteFlow, type RevisionSummary } from './studio-client.ts';
import type { CallMock, ConversationRelayMock, DialMock, EnqueueMock, ExactExpectations, HttpMock, Mocks, PayMock, RecordMock, RecordedTestFile, TestCase, TestFile, VirtualAgentMock } from './types.ts';
import { makeDirectories } from '../lib/make-directories.ts';

export interface Recording {
  executionSid: string;
  status: 'active' | 'ended';
  context: JsonObject;
  steps: RecordedStep[];
  definition: FlowDefinition;
  /** Outbound message bodies from the simulator transcript, when the server has one. */
  transcript?: string[];
  /** The subflows the execution ran, as the test names them (see recordSubflows). */
  subflows?: RecordedSubflow[];
  /** When the execution started (its date_created): the test's clock starts there. */
  startedAt?: Date | string | number | null;
}

/** A test `clock` for an instant: ISO 8601 in UTC, without milliseconds when there are none. */
export function clockText(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function startOf(recording: Recording): number | undefined {
  const value = recording.startedAt;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN;
  if (Number.isFinite(ms)) return ms;
  return recording.steps.find((s) => s.at !== undefined && Number.isFinite(s.at))?.at;
}

export interface RecordedSubflow {
  flowSid: string;
  /** What mocks.subflows maps the SID to: a file relative to the test file, or `missing`. */
  source: string;
  /** The revision that ran: its widgets' URLs and reply timeouts become mocks and waits. */
  definition?: FlowDefinition;
}

/** Steps as the Steps API lists them (twilio's camelCase JSON), oldest first. */
export function stepsFromApi(steps: JsonObject[]): RecordedStep[] {
  return steps.map((s) => {
    const date = s.dateCreated as unknown;
    const at = date instanceof Date ? date.getTime() : typeof date === 'string' ? Date.parse(date) : NaN;
    return {
      from: String(s.transitionedFrom),
      event: String(s.name),
      to: String(s.transitionedTo),
      type: String(s.type ?? ''),
      context: (s.context ?? {}) as JsonObject,
      parentStepSid: (s.parentStepSid as string | null) ?? null,
      ...(Number.isFinite(at) ? { at } : {}),
    };
  });
}

/** One time a Run Subflow widget ran: the SID and revision it names, and the steps inside the subflow. */
export interface SubflowRun {
  widget: string;
  flowSid: string;
  /** The widget's flow_revision: a number, LatestPublished or LatestRevision. */
  revision: string;
  /** When the widget was entered (ms), when the steps say. */
  at?: number;
  steps: RecordedStep[];
  /** How the widget was left (completed, failed), unless the execution is still inside. */
  event?: string;
  error?: string;
}

/** The subflow runs in a recording, in order: a subflow's steps follow the main-flow step into its widget. */
export function subflowRuns(definition: FlowDefinition, steps: RecordedStep[]): SubflowRun[] {
  const runs: SubflowRun[] = [];
  let open: SubflowRun | null = null;
  for (const step of steps) {
    if (step.parentStepSid) {
      open?.steps.push(step);
      continue;
    }
    if (open && step.from === open.widget) {
      open.event = step.event;
      const error = (step.context?.error as JsonObject | undefined)?.message;
      if (typeof error === 'string') open.error = error;
      open = null;
    }
    const next = definition.states.find((s) => s.name === step.to);
    if (next?.type === 'run-subflow') {
      open = {
        widget: next.name,
        flowSid: String(next.properties.flow_sid ?? ''),
        revision: String(next.properties.flow_revision ?? 'LatestPublished'),
        ...(step.at !== undefined ? { at: step.at } : {}),
        steps: [],
      };
      runs.push(open);
    }
  }
  return runs;
}

/** A flow file's text: the definition as the server has it, as `flows pull` writes it. */
export const flowFileText = (definition: FlowDefinition): string => JSON.stringify(definition, null, 2) + '\n';

/**
 * Refuses to record an execution that ran a revision no test can load (a draft saved invalid, with
 * --invalid-definitions save-as-draft, which test users run): what is wrong, and how to get a recording.
 */
export class UnrecordableRevision extends Error {}

/** Throws UnrecordableRevision when the revision that ran would not load as a test's flow; `what` names it ("flow FW…", "subflow FW…"). */
export function checkRecordable(what: string, flow: RemoteFlow, executionSid?: string): void {
  const problems = flowTextProblems(flowFileText(flow.definition));
  if (problems.length === 0) return;
  throw new UnrecordableRevision(
    `${executionSid ? `execution ${executionSid}` : 'the execution'} ran revision ${flow.revision} of ${what}, ${flow.status === 'draft' ? 'a draft' : 'a revision'} that is not a valid flow definition, so no test can run it:\n  ${problems.join('\n  ')}\n` +
      'Fix the flow (switchboard flows validate lists the problems of its file), run the conversation again and record that execution.',
  );
}

/** Whether a definition has every widget and transition the steps took. */
function tookPathIn(saved: FlowDefinition, steps: RecordedStep[]): boolean {
  // An invalid draft (a widget that is null, states that are no list) is read as the runtime ran it.
  const definition = runnableShape(saved);
  return steps.every((step) => {
    const state = definition.states.find((s) => s.name === step.from);
    if (!state || (step.type && state.type !== step.type)) return false;
    return step.to === 'Ended' || state.transitions.some((t) => t.event === step.event && t.next === step.to);
  });
}

/** What recordSubflows needs from a server (StudioClient has it). */
export interface RevisionSource {
  getRevision(sid: string, revision: number | 'LatestPublished' | 'LatestRevision'): Promise<RemoteFlow>;
  listRevisions(sid: string): Promise<RevisionSummary[]>;
}

export interface PulledSubflow {
  flowSid: string;
  /** The revision that ran; absent when the subflow was not found. */
  flow?: RemoteFlow;
  notes: string[];
}

/**
 * The revision a subflow run used. A numbered flow_revision names it. Otherwise it is the newest
 * revision (published, for LatestPublished) created by the time the run started, checked against the
 * steps the run took; a revision saved since the execution is never taken for the one that ran.
 */
async function revisionThatRan(source: RevisionSource, run: SubflowRun): Promise<{ flow: RemoteFlow; notes: string[] }> {
  if (/^\d+$/.test(run.revision)) return { flow: await source.getRevision(run.flowSid, Number(run.revision)), notes: [] };
  const selector = run.revision === 'LatestPublished' ? 'LatestPublished' : 'LatestRevision';
  const at = run.at ?? run.steps[0]?.at;
  let candidates: RevisionSummary[];
  try {
    candidates = (await source.listRevisions(run.flowSid))
      .filter((r) => selector !== 'LatestPublished' || r.status === 'published')
      // Dates are to the second: a revision saved in the second the subflow ran still counts.
      .filter((r) => at === undefined || r.dateCreated === null || Date.parse(r.dateCreated) <= Math.floor(at / 1000) * 1000);
  } catch (error) {
    if (!(error instanceof ApiFailure) || error.status === 0) throw error;
    candidates = [];
  }
  let first: RemoteFlow | undefined;
  for (const candidate of candidates.slice(0, 20)) {
    const flow = await source.getRevision(run.flowSid, candidate.revision);
    first ??= flow;
    if (tookPathIn(flow.definition, run.steps)) return { flow, notes: [] };
  }
  if (first) return { flow: first, notes: [`subflow ${run.flowSid}: no revision has every step the execution took in it; saved revision ${first.revision}`] };
  return { flow: await source.getRevision(run.flowSid, selector), notes: [] };
}

/** Fetches the revision of each subflow the recording ran (the first run of a SID decides). */
export async function pullSubflows(source: RevisionSource, definition: FlowDefinition, steps: RecordedStep[], executionSid?: string): Promise<PulledSubflow[]> {
  const pulled = new Map<string, PulledSubflow>();
  for (const run of subflowRuns(definition, steps)) {
    if (pulled.has(run.flowSid)) continue;
    // Not found when the execution ran: the test declares it missing and takes the same `failed`.
    if (run.steps.length === 0 && run.event === 'failed' && /was not found/i.test(run.error ?? '')) {
      pulled.set(run.flowSid, { flowSid: run.flowSid, notes: [] });
      continue;
    }
    try {
      const { flow, notes } = await revisionThatRan(source, run);
      checkRecordable(`subflow ${run.flowSid} (run by widget '${run.widget}')`, flow, executionSid);
      pulled.set(run.flowSid, { flowSid: run.flowSid, flow, notes });
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.status !== 404) throw error;
      pulled.set(run.flowSid, { flowSid: run.flowSid, notes: [`subflow ${run.flowSid} (widget '${run.widget}') is no longer on the server: the test declares it missing`] });
    }
  }
  return [...pulled.values()];
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);

/**
 * Pulls the subflows the recording ran and writes each revision beside the test file `out`, as
 * <test name>.<subflow name>.subflow.json (not a test file, so `switchboard test` does not run it).
 */
export async function recordSubflows(
  source: RevisionSource,
  definition: FlowDefinition,
  steps: RecordedStep[],
  out: string,
  executionSid?: string,
): Promise<{ subflows: RecordedSubflow[]; log: string[] }> {
  // Every subflow is pulled (and checked) before any file is written.
  const pulled = await pullSubflows(source, definition, steps, executionSid);
  const stem = basename(out).replace(/(\.test)?\.(ya?ml|json)$/i, '');
  const used = new Set<string>();
  const subflows: RecordedSubflow[] = [];
  const log: string[] = [];
  for (const p of pulled) {
    log.push(...p.notes);
    if (!p.flow) {
      subflows.push({ flowSid: p.flowSid, source: MISSING_SUBFLOW });
      continue;
    }
    const name = slug(p.flow.friendlyName) || p.flowSid;
    let file = `${stem}.${name}.subflow.json`;
    for (let n = 2; used.has(file); n++) file = `${stem}.${name}-${n}.subflow.json`;
    used.add(file);
    const path = join(dirname(out), file);
    makeDirectories(dirname(path));
    writeFileSync(path, flowFileText(p.flow.definition));
    log.push(`wrote ${relative(process.cwd(), path)} (subflow ${p.flowSid} '${p.flow.friendlyName}', revision ${p.flow.revision})`);
    subflows.push({ flowSid: p.flowSid, source: file, definition: p.flow.definition });
  }
  return { subflows, log };
}

/** A URL pattern for a widget's URL template: Liquid parts become `*`. */
function urlPattern(template: unknown): string {
  const text = typeof template === 'string' ? template.trim() : '';
  if (!text) return '*';
  return text.replace(/\{\{.*?\}\}|\{%.*?%\}/g, '*');
}

function mocksFor(definition: FlowDefinition, http: Map<string, HttpMock[]>, notes: string[]): Mocks {
  const mocks: Mocks = {};
  for (const [widget, recorded] of http) {
    const state = definition.states.find((s) => s.name === widget);
    // A status no mock can give (no HTTP response has one): that answer is left out, and the test says it is unmocked.
    const answers = recorded.filter((a) => a.status === undefined || isMockableStatus(a.status) || void notes.push(`${widget}: status ${a.status} is no HTTP status a mock can give; that answer is left out (mock it by hand)`));
    if (!state || answers.length === 0) continue;
    const pattern = urlPattern(state.properties.url);
    const entries = answers.map((a, i) => ({ ...a, ...(answers.length > 1 && i < answers.length - 1 ? { times: 1 } : {}) }));
    if (state.type === 'run-function') {
      const name = pattern.split('?')[0]!.split('/').filter(Boolean).at(-1);
      for (const e of entries) (mocks.functions ??= []).push(name && !name.includes('*') ? { name, ...e } : { url: pattern, ...e });
    } else {
      // The method the widget sent, as the engine reads it: trimmed, upper case, GET when unset.
      const method = (typeof state.properties.method === 'string' ? state.properties.method.trim().toUpperCase() : '') || 'GET';
      for (const e of entries) (mocks.http ??= []).push({ method, url: pattern, ...e });
    }
  }
  return mocks;
}

type VoiceMockKey = 'dial' | 'enqueue' | 'record' | 'pay' | 'virtualAgent' | 'conversationRelay';

/** The mock that decides each widget type's call verb. */
const VOICE_MOCKS: Record<string, VoiceMockKey> = {
  'connect-call-to': 'dial',
  'enqueue-call': 'enqueue',
  'send-to-flex': 'enqueue',
  'record-voicemail': 'record',
  'capture-payments': 'pay',
  'connect-virtual-agent-v2': 'virtualAgent',
  'connect-virtual-agent': 'virtualAgent',
  'run-conversation-relay': 'conversationRelay',
};

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
/** Whole seconds as the action sent them ("12"), or undefined. */
const seconds = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};
/**
 * HandoffData as a conversationRelay mock gives it: the JSON object the app's text holds (the mock sends it
 * back as JSON text), or the text itself.
 */
function handoffDataOf(value: unknown): JsonObject | string {
  const data = text(value);
  try {
    const parsed = JSON.parse(data) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as JsonObject;
  } catch {
    // Not JSON: sent as the text it was.
  }
  return data;
}

/** The action's parameters but `without`, as the text Twilio sent them. */
function paramsOf(action: JsonObject, without: string[]): { params?: Record<string, string> } {
  const entries = Object.entries(action).filter(([k]) => !without.includes(k));
  return entries.length ? { params: Object.fromEntries(entries.map(([k, v]) => [k, text(v)])) } : {};
}

/**
 * A recorded call verb as the mock that makes it go the same way (the same event). A status or result
 * the schema has no value for goes on as the action parameter it came as (Pay, a virtual agent) or, for
 * a mock without parameters, is left out (the default that takes the same event) with a `note`.
 */
function voiceMock(kind: VoiceMockKey, verb: RecordedCallVerb, note: (text: string) => void): DialMock | EnqueueMock | RecordMock | PayMock | VirtualAgentMock | ConversationRelayMock | null {
  if ('noAudio' in verb) return kind === 'record' ? { result: 'noAudio' } : null;
  if ('hangup' in verb) {
    // The caller hung up and no action came: Record, a virtual agent and a relay session say so; a Dial's and a Pay's action comes with the call over.
    if (kind === 'record') return { result: 'hangup' };
    if (kind === 'virtualAgent' || kind === 'conversationRelay') return { status: 'hangup' };
    if (kind === 'pay') return { result: 'caller-hung-up' };
    if (kind === 'dial') return { callerHangsUp: true };
    return { result: 'hangup' };
  }
  const { action, callOver } = verb;
  switch (kind) {
    case 'dial': {
      // Either way the widget's event is callCompleted (or hangup): only its DialCallStatus output differs.
      const recorded = String(action.DialCallStatus);
      const status = DIAL_STATUSES.has(recorded) ? recorded : 'completed';
      if (status !== recorded) note(`DialCallStatus '${recorded}' is not a status a dial mock takes: written as completed (the same event; widgets.<name>.DialCallStatus reads completed)`);
      const duration = status === 'completed' ? seconds(action.DialCallDuration) : undefined;
      return { status: status as DialMock['status'], ...(duration !== undefined ? { duration } : {}), ...(callOver ? { callerHangsUp: true } : {}) };
    }
    case 'enqueue': {
      const time = seconds(action.QueueTime);
      const recorded = String(action.QueueResult);
      const known = ENQUEUE_RESULTS.has(recorded);
      // An unknown QueueResult takes callComplete, as the default (bridged) does.
      if (!known) note(`QueueResult '${recorded}' is not a result an enqueue mock takes: left out, so the test's caller is bridged (the same event, callComplete)`);
      return { ...(known ? { result: recorded as EnqueueMock['result'] } : {}), ...(time !== undefined ? { time } : {}) };
    }
    case 'record': {
      const duration = seconds(action.RecordingDuration);
      // Digits=hangup with the call still up (a recording that ran out) is not a hang-up: left out.
      const digits = typeof action.Digits === 'string' && (action.Digits !== 'hangup' || callOver) ? { digits: action.Digits } : {};
      return { ...(duration !== undefined ? { duration } : {}), ...digits, ...(typeof action.RecordingUrl === 'string' ? { url: action.RecordingUrl } : {}) };
    }
    case 'pay': {
      // Another Result goes as the action parameter it came as: the widget takes it as it did (providerError).
      const known = typeof action.Result === 'string' && PAY_RESULTS.has(action.Result);
      return { ...(known ? { result: action.Result as PayMock['result'] } : {}), ...paramsOf(action, known ? ['Result'] : []) };
    }
    case 'virtualAgent': {
      // A session the caller ended (the action came with the call over) leaves by hangup.
      const status = callOver ? 'hangup' : action.VirtualAgentStatus;
      const known = typeof status === 'string' && VIRTUAL_AGENT_STATUSES.has(status);
      // Another status goes as the VirtualAgentStatus parameter it came as, which the simulation sends as it is.
      return { ...(known ? { status: status as VirtualAgentMock['status'] } : {}), ...paramsOf(action, known ? ['VirtualAgentStatus'] : []) };
    }
    case 'conversationRelay': {
      // The session's status, length and handoff data as the mock's fields; a SessionStatus the schema does
      // not list (or one named hangup) goes on as the parameter it came as, which the simulation sends as it is.
      const status = action.SessionStatus;
      const known = typeof status === 'string' && status !== 'hangup' && CONVERSATION_RELAY_STATUSES.has(status);
      const duration = seconds(action.SessionDuration);
      const handoff = action.HandoffData !== undefined && action.HandoffData !== null;
      const fields = [...(known ? ['SessionStatus'] : []), ...(duration !== undefined ? ['SessionDuration'] : []), ...(handoff ? ['HandoffData'] : [])];
      return {
        ...(known ? { status: status as ConversationRelayMock['status'] } : {}),
        ...(handoff ? { handoffData: handoffDataOf(action.HandoffData) } : {}),
        ...(duration !== undefined ? { duration } : {}),
        // The caller ended the session by hanging up: the action came with the call over.
        ...(callOver ? { callerHangsUp: true } : {}),
        ...paramsOf(action, fields),
      };
    }
  }
}

/** AnsweredBy as a call mock says it: a value the schema does not list goes as the parameter it came as (sent as it is). */
function answeredBy(value: string | undefined): Pick<CallMock, 'answeredBy' | 'params'> {
  if (value === undefined) return {};
  return ANSWERED_BY.has(value) ? { answeredBy: value as CallMock['answeredBy'] } : { params: { AnsweredBy: value } };
}

/**
 * How the calls the execution placed and its call verbs went, as mocks: each call by its `to`, each
 * verb by its widget (a virtual agent connection the channel refused as `fail`), `times: 1` for each but the
 * last (so they answer in the order they came).
 */
function voiceMocks(steps: RecordedStep[], notes: string[]): Mocks {
  const calls: CallMock[] = [];
  const verbs: Record<VoiceMockKey, { widget: string; mock: object }[]> = { dial: [], enqueue: [], record: [], pay: [], virtualAgent: [], conversationRelay: [] };
  for (const step of steps) {
    if (OUTGOING_CALL_TYPES.has(step.type)) {
      const outcome = placedCall(step);
      if (!outcome) continue;
      const to = typeof step.context.To === 'string' ? { to: step.context.To } : {};
      calls.push('fail' in outcome ? { ...to, fail: outcome.fail } : { ...to, answer: outcome.answer, ...answeredBy(outcome.answeredBy) });
      continue;
    }
    const refused = refusedVirtualAgent(step);
    if (refused) {
      // The channel refused to connect the agent in a conversation: the test's channel refuses it with that error.
      verbs.virtualAgent.push({ widget: step.from, mock: { fail: refused.message ? refused : refused.code } });
      continue;
    }
    const refusedTask = refusedFlexTask(step);
    if (refusedTask) {
      // TaskRouter refused a Send to Flex task outside a call: the test's refuses it with that error.
      verbs.enqueue.push({ widget: step.from, mock: { fail: refusedTask.message ? refusedTask : refusedTask.code } });
      continue;
    }
    const kind = VOICE_MOCKS[step.type];
    const verb = kind ? callVerbOf(step) : null;
    const mock = kind && verb ? voiceMock(kind, verb, (text) => notes.push(`${step.from}: ${text}`)) : null;
    if (kind && mock) verbs[kind].push({ widget: step.from, mock });
  }
  const mocks: Mocks = {};
  if (calls.length) mocks.calls = calls.map((c, i) => (i < calls.length - 1 ? { ...c, times: 1 } : c));
  for (const kind of Object.keys(verbs) as VoiceMockKey[]) {
    const list = verbs[kind];
    if (!list.length) continue;
    const last = new Map(list.map((entry, i) => [entry.widget, i]));
    (mocks as Record<VoiceMockKey, object[]>)[kind] = list.map((entry, i) => ({ widget: entry.widget, ...entry.mock, ...(last.get(entry.widget) !== i ? { times: 1 } : {}) }));
  }
  return mocks;
}

function endOf(recording: Recording): ExactExpectations['end'] {
  if (recording.status === 'active') return 'waiting';
  const last = recording.steps.filter((s) => !s.parentStepSid).at(-1);
  const error = last?.context?.error as { code?: number } | undefined;
  if (last?.to === 'Ended' && error && typeof error.code === 'number') return { error: error.code };
  // A call that ended while a widget waited on the caller was hung up (replayed as `hangup`).
  if (last && last.to !== 'Ended') return (recording.context.trigger as JsonObject | undefined)?.call ? 'completed' : 'manual';
  return 'completed';
}

/**
 * The test a recording makes. `notes` collects what could not be recorded as it came (a value no mock
 * takes, an input that could not be recovered), for the recorder to print.
 */
export function testFromRecording(recording: Recording, options: { flowPath: string; name?: string; notes?: string[] }): RecordedTestFile {
  const notes = options.notes ?? [];
  const endedManually = recording.status === 'ended' && endOf(recording) === 'manual';
  const trigger = (recording.context.trigger ?? {}) as JsonObject;
  // Steps inside a subflow ran in the subflow's definition: its reply timeouts and HTTP widgets.
  const subflowDefinitions = new Map((recording.subflows ?? []).filter((s) => s.definition).map((s) => [s.flowSid, s.definition!]));
  const runs = subflowRuns(recording.definition, recording.steps);
  const ranIn = new Map<RecordedStep, FlowDefinition | undefined>();
  for (const run of runs) for (const step of run.steps) ranIn.set(step, subflowDefinitions.get(run.flowSid));
  const started = startOf(recording);
  // With the start, replies get `wait:` steps for the time that passed before them (the steps' times).
  const inputs = deriveInputs(trigger, recording.steps, {
    definition: recording.definition,
    definitionOf: (step) => ranIn.get(step),
    // The call verbs are answered by the mocks voiceMocks writes, a hang-up during them included.
    recordedCallVerbs: true,
    endedManually,
    ended: recording.status === 'ended',
    ...(started !== undefined ? { startedAt: started } : {}),
  });
  const mainSteps = recording.steps.filter((s) => !s.parentStepSid);
  notes.push(...inputs.notes);
  const mocks = mocksFor(recording.definition, deriveInputs(trigger, mainSteps).http, notes);
  for (const [flowSid, definition] of subflowDefinitions) {
    const steps = runs.filter((r) => r.flowSid === flowSid).flatMap((r) => r.steps);
    const sub = mocksFor(definition, deriveInputs(trigger, steps).http, notes);
    if (sub.http) (mocks.http ??= []).push(...sub.http);
    if (sub.functions) (mocks.functions ??= []).push(...sub.functions);
  }
  if (recording.subflows?.length) mocks.subflows = Object.fromEntries(recording.subflows.map((s) => [s.flowSid, s.source]));
  if (inputs.messages.length) mocks.messages = inputs.messages;
  Object.assign(mocks, voiceMocks(recording.steps, notes));
  const main = recording.steps.filter((s) => !s.parentStepSid);
  const path = mainPath(main);
  const variables = ((recording.context.flow as JsonObject | undefined)?.variables ?? {}) as JsonObject;
  const expect: ExactExpectations = {
    messages: recording.transcript ?? recordedMessages(recording.steps),
    path,
    ...(Object.keys(variables).length ? { variables } : {}),
    end: endOf(recording),
  };
  const test: TestCase & { expect: ExactExpectations } = {
    name: options.name ?? `recorded ${recording.executionSid}`,
    // The clock the execution ran at: a flow that reads the time replays as it ran.
    ...(started !== undefined ? { clock: clockText(started) } : {}),
    trigger: inputs.trigger,
    ...(Object.keys(mocks).length ? { mocks } : {}),
    ...(inputs.script.length ? { script: inputs.script } : {}),
    expect,
  };
  return { flow: options.flowPath, tests: [test] };
}

export function testFileYaml(file: TestFile, header: string[]): string {
  return header.map((l) => `# ${l}`).join('\n') + '\n' + stringify(file, { lineWidth: 0 });
}
