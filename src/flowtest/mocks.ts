// The test-file responder: answers HTTP requests and Function calls from mocks (method + URL
// pattern, first match wins, `times` limits a mock), the channel from message mocks (refusals and
// undelivered reports), and subflow loads from the subflow files the test names. A request or a
// subflow the test does not provide fails the test, naming the widget and how to mock it.
import { writeWholeFloats } from './whole-floats.ts';
import type { EffectResult, Effect, JsonObject } from '../engine/types.ts';
import { parseDuration } from './duration.ts';
import type { LoadedFlow } from './load.ts';
import { nearMiss, type LabeledMock } from './near-miss.ts';
import { matchesText, matchesUrl } from './pattern.ts';
import { ringSeconds } from '../channels/simulator/call-resources.ts';
import { CONVERSATION_MEDIA_MESSAGE, INVALID_TO_CODE, isMessageAddress } from '../channels/simulator/simulator-channel.ts';
import { withoutPhoneFormatting } from '../lib/phone-format.ts';
import { isoSeconds } from '../lib/iso-date.ts';
import { refusedCall } from '../channels/simulator/phone.ts';
import { MAX_REDIRECTS, REDIRECT_STATUSES, redirectedMethod, refusedRequest } from '../channels/http/fetch-http.ts';
import { OutboundPolicy } from '../channels/http/outbound-policy.ts';
import { BODY_TOO_LONG_CODE, BODY_TOO_LONG_MESSAGE, bodyTooLong, smsSegments } from '../lib/sms-segments.ts';
import { SIMULATED_ACCOUNT_SID as ACCOUNT_SID, type CallOutcome, type CallVerbMockKey, type HttpAnswer, type Responder, type SendAnswer, type SendContext } from './simulation.ts';
import type { CallMock, HttpMock, MessageMock, Mocks } from './types.ts';

/** The Function's name: the last path segment of its URL. */
export function functionName(url: string): string {
  try {
    return new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '';
  } catch {
    return '';
  }
}

function mockBody(mock: HttpMock): { body: string; contentType: string } {
  const body = mock.body;
  if (body === undefined || body === null) return { body: '', contentType: mock.contentType ?? 'application/json' };
  if (typeof body === 'string') {
    let looksJson = false;
    try {
      const parsed = JSON.parse(body);
      looksJson = parsed !== null && typeof parsed === 'object';
    } catch {
      /* plain text */
    }
    return { body, contentType: mock.contentType ?? (looksJson ? 'application/json' : 'text/plain') };
  }
  // A number the file wrote as a float (`price: 10.0`) is written so: the engine reads it as the float it was.
  return { body: JSON.stringify(body, writeWholeFloats), contentType: mock.contentType ?? 'application/json' };
}

export function httpAnswerFor(mock: HttpMock): HttpAnswer {
  const delayMs = mock.delay !== undefined ? parseDuration(mock.delay) : 0;
  if (mock.fail) return { result: { kind: 'http-failed', reason: mock.fail, message: `simulated ${mock.fail}` }, delayMs };
  const { body, contentType } = mockBody(mock);
  const result: EffectResult = {
    kind: 'http-response',
    statusCode: mock.status ?? 200,
    contentType,
    body,
    ...(mock.headers ? { headers: Object.fromEntries(Object.entries(mock.headers).map(([k, v]) => [k.toLowerCase(), v])) } : {}),
  };
  return { result, delayMs };
}

/**
 * The HTTP and Function mocks of `mocks` that `used` says answered nothing, each named as the test
 * file names it ("mocks.http[0] (POST https://…) matched no request", with `miss`'s near miss): a URL or method that matches no request is easy to
 * miss when the flow still takes the path the test expects.
 */
export function unusedHttpMocks(mocks: Mocks | undefined, used: (mock: object) => boolean, miss: (mock: object) => string | undefined = () => undefined, said = 'matched no request'): string[] {
  const label = (kind: 'http' | 'functions', mock: HttpMock, i: number) => {
    const what = kind === 'functions' && mock.name !== undefined ? `name: ${mock.name}` : `${mock.method?.toUpperCase() ?? 'any method'} ${mock.url ?? 'any URL'}`;
    const why = miss(mock);
    return `mocks.${kind}[${i}] (${what}) ${said}${why ? ` — ${why}` : ''}`;
  };
  return (['http', 'functions'] as const).flatMap((kind) => (mocks?.[kind] ?? []).flatMap((mock, i) => (used(mock) ? [] : [label(kind, mock, i)])));
}

/** The mocks other than HTTP and Function ones, which a run may leave unused: by what they answer. */
const OTHER_MOCKS = ['messages', 'calls', 'dial', 'enqueue', 'record', 'pay', 'virtualAgent', 'conversationRelay'] as const;

/**
 * The message, call and call-verb mocks of `mocks` that `used` says answered nothing, each named as the test
 * file names it ("mocks.dial[0] (widget: connect_agent) answered nothing"): a widget the run never reached, or
 * a `to` or `body` no message or call had. `anyTest`: the file's mocks, unused by every test.
 */
export function unusedOtherMocks(mocks: Mocks | undefined, used: (mock: object) => boolean, anyTest = false): string[] {
  return OTHER_MOCKS.flatMap((kind) =>
    ((mocks?.[kind] ?? []) as { widget?: string; to?: string; body?: string }[]).flatMap((mock, i) => {
      if (used(mock)) return [];
      const what = [mock.widget !== undefined ? `widget: ${mock.widget}` : '', mock.to !== undefined ? `to: ${mock.to}` : '', mock.body !== undefined ? `body: ${mock.body}` : ''].filter(Boolean).join(', ') || `any ${kind === 'messages' ? 'message' : kind === 'calls' ? 'call' : 'widget'}`;
      return [`mocks.${kind}[${i}] (${what}) answered nothing${anyTest ? ' in any test' : ''}`];
    }),
  );
}

/**
 * Call verbs whose unmocked answer is not one a real call gives: the test still runs (the action comes
 * without the verb's parameters), and a note says what happened and how to choose the outcome.
 */
const UNMOCKED_FALLBACK: Partial<Record<CallVerbMockKey, string>> = {
  pay: '<Pay> answered with no Result, which Capture Payments takes for providerError — add an entry under mocks.pay (result: success…)',
  virtualAgent: '<Connect><VirtualAgent> answered with no VirtualAgentStatus, which Connect Virtual Agent takes for failed (v2) or return (v1) — add an entry under mocks.virtualAgent (status: completed…)',
};

/** A virtual agent in a conversation that no mock ends: the test still runs, and this note says so. */
const UNMOCKED_CONVERSATION_AGENT =
  'the virtual agent has the conversation and never ends its session, so the widget leaves by timeout once the script waits past it — add an entry under mocks.virtualAgent (status: completed…, delay: …) to end it';

/**
 * How a request the outbound policy refuses could be allowed, said after the refusal: `switchboard test`
 * takes serve's settings (--dev, --http-allow, --http-deny), from flags, the environment or the config file.
 */
function allowHint(reason: 'network' | 'blocked', why: string): string {
  if (reason !== 'blocked') return '';
  const where = 'on switchboard test, as on serve (a flag, the environment or switchboard.config)';
  if (/denied by --http-deny/.test(why)) return ` — the configuration's --http-deny refuses it ${where}`;
  if (/private, loopback or reserved/.test(why)) return ` — allow it with --http-allow or --dev ${where}`;
  return ` — only --http-allow opens it ${where}`;
}

export class MockResponder implements Responder {
  readonly #layers: Mocks[];
  /** The HTTP and Function mocks as the test file names them, the test's before the file's. */
  readonly #labeled: { http: LabeledMock[]; functions: LabeledMock[] };
  readonly #subflows: Map<string, LoadedFlow | null>;
  readonly #used = new Map<object, number>();
  /** Why a mock that answered nothing was likely meant for a request (near-miss.ts). */
  readonly #misses = new Map<object, string>();
  readonly #newSid: () => string;
  readonly #unmocked: { widget: string; note: string }[] = [];
  /** The server's outbound HTTP policy (serve's --dev, --http-allow, --http-deny), and what it refused in this run. */
  readonly #policy: OutboundPolicy;
  readonly #refusals: string[] = [];

  /** `layers`: the test's own mocks first, then the file's; `policy`: the server's outbound policy (default: serve's, not in dev mode). */
  constructor(layers: (Mocks | undefined)[], subflows: Map<string, LoadedFlow | null>, newSid: () => string, policy: OutboundPolicy = new OutboundPolicy()) {
    const label = (kind: 'http' | 'functions') =>
      layers.flatMap((layer, l) => (layer?.[kind] ?? []).map((mock, i) => ({ mock, label: `${l > 0 ? "the file's " : ''}mocks.${kind}[${i}]` })));
    this.#labeled = { http: label('http'), functions: label('functions') };
    this.#layers = layers.filter((m): m is Mocks => m !== undefined);
    this.#subflows = subflows;
    this.#newSid = newSid;
    this.#policy = policy;
  }

  #take<T extends { times?: number }>(candidates: T[], matches: (mock: T) => boolean): T | undefined {
    const mock = candidates.find((m) => matches(m) && (m.times === undefined || (this.#used.get(m) ?? 0) < m.times));
    if (mock) this.#used.set(mock, (this.#used.get(mock) ?? 0) + 1);
    return mock;
  }

  /**
   * The answer to a widget's request, following a mocked redirect as the server's HTTP client does
   * (fetch-http.ts follow): a 301, 302, 303, 307 or 308 with a Location is asked again of the mock matching
   * the new URL — 303, and 301/302 after a POST, as a GET without the body — up to MAX_REDIRECTS times,
   * after which the request fails as the server's does. The hops' delays add up, under one timeout as there.
   * A Location no mock answers is reported as any unmocked request is. Each hop is under the server's
   * outbound policy first: a request it refuses fails as it fails there, whatever a mock says (see #refused).
   */
  http(effect: Extract<Effect, { type: 'http-request' }>, problems: string[]): HttpAnswer {
    let { method, url } = effect.request;
    let delayMs = 0;
    let redirectedBy: string | undefined;
    for (let hop = 0; ; hop++) {
      const refused = this.#refused(effect, method, url, redirectedBy);
      if (refused) return { result: refused, delayMs };
      const answer = this.#answer(effect, method, url, problems, redirectedBy);
      delayMs += answer.delayMs;
      const result = answer.result;
      const location = result.kind === 'http-response' ? result.headers?.location : undefined;
      if (result.kind !== 'http-response' || !REDIRECT_STATUSES.has(result.statusCode) || !location) return { result, delayMs };
      const failed = (message: string): HttpAnswer => ({ result: { kind: 'http-failed', reason: 'network', message }, delayMs });
      if (hop >= MAX_REDIRECTS) return failed(`More than ${MAX_REDIRECTS} redirects`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return failed('Invalid URL');
      }
      redirectedBy = `redirected there by a ${result.statusCode} from ${method} ${url}`;
      method = redirectedMethod(result.statusCode, method);
      url = next.href;
    }
  }

  /**
   * The failure the server's HTTP client gives `method` `url` without sending it (fetch-http.ts
   * refusedRequest: a scheme other than http(s), a host the outbound policy refuses), noted with how to
   * allow it; null when the server would send it. No mock is asked: the server would reach no server. A URL
   * that does not parse is left to the mocks, as before.
   */
  #refused(effect: Extract<Effect, { type: 'http-request' }>, method: string, url: string, redirectedBy: string | undefined): EffectResult | null {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return null;
    }
    const refused = refusedRequest(parsed, this.#policy);
    if (!refused) return null;
    const why = refused.message.replace(/^Outbound request blocked: /, '');
    const meant = this.#find(effect, method, url, false);
    if (meant && !this.#misses.has(meant)) this.#misses.set(meant, `the server would refuse the request it matches from widget '${effect.widget}' (see the note on it)`);
    this.#refusals.push(
      `widget '${effect.widget}': the server would refuse this request (${method} ${url}${redirectedBy ? `, ${redirectedBy}` : ''}): ${why}; the widget fails as it would there${allowHint(refused.reason, why)}`,
    );
    return { kind: 'http-failed', reason: refused.reason, message: refused.message };
  }

  /** Notes on the requests the server's HTTP client would refuse (#refused), in the order they were made. */
  refusals(): string[] {
    return [...this.#refusals];
  }

  /** The mock that answers `method` `url` for `effect` (a Function's mocks first), used up when `take`. */
  #find(effect: Extract<Effect, { type: 'http-request' }>, method: string, url: string, take: boolean): HttpMock | undefined {
    const pick = <T extends { times?: number }>(candidates: T[], matches: (mock: T) => boolean) => (take ? this.#take(candidates, matches) : candidates.find(matches));
    const methodOk = (m: HttpMock) => !m.method || m.method.toUpperCase() === method.toUpperCase();
    let mock: HttpMock | undefined;
    if (effect.purpose === 'function') {
      const name = functionName(url);
      mock = pick(this.#layers.flatMap((l) => l.functions ?? []), (m) => methodOk(m) && (m.name ? m.name === name : true) && (m.url ? matchesUrl(m.url, url) : true));
    }
    return mock ?? pick(this.#layers.flatMap((l) => l.http ?? []), (m) => methodOk(m) && (m.url ? matchesUrl(m.url, url) : true) && !m.name);
  }

  /** The mock's answer to one exchange (`method` `url`); none: the problem, and a network failure. */
  #answer(effect: Extract<Effect, { type: 'http-request' }>, method: string, url: string, problems: string[], redirectedBy: string | undefined): HttpAnswer {
    const mock = this.#find(effect, method, url, true);
    if (!mock) {
      const where = effect.purpose === 'function' ? `mocks.functions (name: ${functionName(url) || '…'})` : 'mocks.http';
      const candidates = effect.purpose === 'function' ? [...this.#labeled.functions, ...this.#labeled.http] : this.#labeled.http;
      const near = nearMiss(method, url, effect.widget, candidates, (m) => this.#used.get(m) ?? 0, effect.purpose === 'function' ? functionName(url) : undefined);
      if (near && !this.#misses.has(near.mock)) this.#misses.set(near.mock, near.aboutMock);
      problems.push(
        `unmocked ${effect.purpose === 'function' ? 'Function call' : 'HTTP request'} from widget '${effect.widget}': ${method} ${url}${redirectedBy ? ` (${redirectedBy})` : ''} — add an entry under ${where}${near ? ` (${near.hint})` : ''}`,
      );
      return { result: { kind: 'http-failed', reason: 'network', message: 'no mock for this request' }, delayMs: 0 };
    }
    return httpAnswerFor(mock);
  }

  send(effect: Extract<Effect, { type: 'send-message' }>, context: SendContext = { inConversation: false }): SendAnswer {
    const m = effect.message;
    // As the server's simulator: a Conversation takes uploaded Media SIDs, not media URLs.
    if (context.conversation && m.mediaUrl?.length) return { result: { kind: 'message-failed', code: 81011, message: CONVERSATION_MEDIA_MESSAGE } };
    // Outside a Conversation, an address the Messages API cannot send to is refused as the server's
    // simulator (and Twilio) refuses it (21211), whatever a mock says: the test must not pass a send the server fails.
    if (!context.inConversation && !isMessageAddress(m.to)) return { result: { kind: 'message-failed', code: INVALID_TO_CODE, message: `The 'To' number ${m.to} is not a valid phone number.` } };
    // Twilio refuses a body over 1,600 characters whatever a mock says (the widget takes `failed`).
    if (bodyTooLong(m.body)) return { result: { kind: 'message-failed', code: BODY_TOO_LONG_CODE, message: BODY_TOO_LONG_MESSAGE } };
    const mock = this.#take(this.#layers.flatMap((l) => l.messages ?? []), (mm: MessageMock) =>
      (mm.widget === undefined || mm.widget === effect.widget) && (mm.to === undefined || matchesText(mm.to, m.to)) && (mm.body === undefined || matchesText(mm.body, m.body)),
    );
    if (mock?.fail !== undefined) {
      const fail = typeof mock.fail === 'number' ? { code: mock.fail } : mock.fail;
      return { result: { kind: 'message-failed', code: fail.code, message: fail.message ?? `Simulated failure ${fail.code}` } };
    }
    const sid = this.#newSid();
    const conversation = context.conversation;
    // Into a Conversation the widget's outbound is the Conversations message resource, as the server's simulator gives it.
    const resource: JsonObject = conversation
      ? {
          Sid: 'IM' + sid.slice(2),
          AccountSid: ACCOUNT_SID,
          ConversationSid: conversation.sid,
          Author: m.from && m.from !== conversation.sid ? m.from : 'system',
          Body: m.body,
          Index: conversation.index,
          Attributes: m.attributes ?? '{}',
          ContentSid: m.contentSid ?? null,
          DateCreated: isoSeconds(conversation.at),
        }
      : { Sid: sid, From: withoutPhoneFormatting(m.from), To: withoutPhoneFormatting(m.to), Body: m.body, Status: 'queued', NumSegments: String(smsSegments(m.body)), NumMedia: String(m.mediaUrl?.length ?? 0), Direction: 'outbound-api' };
    return { result: { kind: 'message-sent', message: resource }, ...(mock?.undelivered !== undefined ? { undelivered: String(mock.undelivered) } : {}) };
  }

  call(effect: Extract<Effect, { type: 'place-call' }>): CallOutcome {
    // Refused before anything rings, as the simulator phone (and Twilio's Calls API) refuses it, whatever a mock says.
    const refused = refusedCall(effect.call.to, effect.call.from);
    if (refused) return refused;
    const mock = this.#take(this.#layers.flatMap((l) => l.calls ?? []), (m: CallMock) => m.to === undefined || matchesText(m.to, effect.call.to));
    if (mock?.fail !== undefined) return { fail: mock.fail };
    const answer = mock?.answer ?? 'human';
    return {
      answer,
      ...(mock?.answeredBy !== undefined ? { answeredBy: mock.answeredBy } : {}),
      ...(mock?.params ? { params: mock.params } : {}),
      // Nobody answers: it rings for the widget's timeout first, as the simulator phone rings it. A busy,
      // failed, canceled or completed call ends at once, as the phone's Reject does, and an answer comes at once.
      ...(answer === 'no-answer' ? { ringMs: ringSeconds(effect.call.timeout) * 1000 } : {}),
    };
  }

  /**
   * How the call verb `verb` of widget `widget` goes: the first mock for it (or for any widget) with uses
   * left. A Pay or a virtual agent without one is noted (see unmockedVerbs): its fallback is a failure event.
   */
  callVerb<K extends CallVerbMockKey>(kind: K, widget: string, context: { conversation?: boolean } = {}): NonNullable<Mocks[K]>[number] | undefined {
    const candidates = this.#layers.flatMap((l) => (l[kind] ?? []) as NonNullable<Mocks[K]>[number][]);
    const mock = this.#take(candidates, (m) => m.widget === undefined || m.widget === widget);
    const fallback = context.conversation && kind === 'virtualAgent' ? UNMOCKED_CONVERSATION_AGENT : UNMOCKED_FALLBACK[kind];
    if (!mock && fallback && !this.#unmocked.some((n) => n.widget === widget)) this.#unmocked.push({ widget, note: `widget '${widget}' ran unmocked: ${fallback}` });
    return mock;
  }

  /** Notes on the Pay and virtual agent verbs no mock answered, in the order they ran (once per widget). */
  unmockedVerbs(): string[] {
    return this.#unmocked.map((n) => n.note);
  }

  /** Whether a mock answered anything in this run. */
  used(mock: object): boolean {
    return this.#used.has(mock);
  }

  /** The unmocked request a mock was likely meant for, in words, or undefined. */
  miss(mock: object): string | undefined {
    return this.#misses.get(mock);
  }

  conversationFailure(): number | undefined {
    return this.#layers.find((l) => l.conversations?.fail !== undefined)?.conversations?.fail;
  }

  subflow(effect: Extract<Effect, { type: 'load-subflow' }>, problems: string[]): EffectResult {
    const flow = this.#subflows.get(effect.flowSid);
    if (flow === undefined) {
      const sid = effect.flowSid || '(no flow_sid)';
      problems.push(
        `unmocked subflow from widget '${effect.widget}': ${sid} (revision ${effect.revision}) — add an entry under mocks.subflows ` +
          `(${sid}: a flow file or an inline definition, or \`missing\` if the test means it not to exist)`,
      );
      return { kind: 'subflow-missing', message: `Subflow ${effect.flowSid} was not found (no entry under mocks.subflows)` };
    }
    if (flow === null) return { kind: 'subflow-missing', message: `Subflow ${effect.flowSid} (revision ${effect.revision}) was not found` };
    return { kind: 'subflow-loaded', flowSid: effect.flowSid, revision: 1, definition: flow.definition };
  }
}
