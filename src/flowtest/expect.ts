// Compares what a run observed with what the test expects. Each mismatch becomes a Failure with
// the field it concerns and either expected/actual values or a line diff of a sequence, so the
// reporters can show exactly what changed.
import type { Json, JsonObject } from '../engine/types.ts';
import { closestName } from './closest-name.ts';
import { isPattern, matchesText, matchesUrlExactly, matchesValue } from './pattern.ts';
import { textDifference, textDistance } from './text-difference.ts';
import type {
  EndExpectation,
  Expectations,
  MessageExpectation,
  Observation,
  ObservedMessage,
  ObservedRequest,
  ObservedStep,
  RequestExpectation,
  SequenceExpectation,
  StepExpectation,
} from './types.ts';

export interface Failure {
  /** Which expectation: "messages", "variables.order", "script[3].expect.path", "runner". */
  field: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
  /** For sequences: lines prefixed "  " (both), "- " (expected only), "+ " (actual only). */
  diff?: string[];
  /** Names the expectation gives that the flow does not have (typos): widgets, or variables no Set Variables sets. --update leaves those alone. */
  notInFlow?: string[];
  /** Said after the diff or the values: where an expected text and a nearly equal actual one differ. */
  hints?: string[];
}

/** "'jobid' is not a variable this flow sets (did you mean 'job_id'?)". */
export function notAVariable(name: string, variables: ReadonlySet<string>): string {
  const near = closestName(name, variables);
  return `'${name}' is not a variable this flow sets${near ? ` (did you mean '${near}'?)` : ''}`;
}

/** "'ask_sise' is not a widget in this flow (did you mean 'ask_size'?)". */
export function notAWidget(name: string, widgets: ReadonlySet<string>): string {
  const near = closestName(name, widgets);
  return `'${name}' is not a widget in this flow${near ? ` (did you mean '${near}'?)` : ''}`;
}

/** Widget names a path or steps expectation gives that the flow does not have, each once, in order. */
function unknownNames(key: 'path' | 'steps', expect: Expectations, widgets: ReadonlySet<string>): string[] {
  const names =
    key === 'path'
      ? (expect.path ? sequenceItems(expect.path).items : [])
      : (expect.steps ? sequenceItems(expect.steps).items : []).flatMap((step) => {
          const e = typeof step === 'string' ? parseStepText(step) : step;
          // A transition with no next is recorded as going to 'Ended'.
          return [e.from, ...(e.to !== undefined && e.to !== 'Ended' ? [e.to] : [])];
        });
  return [...new Set(names.filter((name) => typeof name === 'string' && !widgets.has(name)))];
}

export function stepText(step: { from: string; event: string; to: string }): string {
  return `${step.from} -${step.event}-> ${step.to}`;
}

export function parseStepText(text: string): { from: string; event?: string; to?: string } {
  const m = /^\s*(.+?)\s+-(.+?)->\s+(.+?)\s*$/.exec(text);
  return m ? { from: m[1]!, event: m[2]!, to: m[3]! } : { from: text.trim() };
}

function messageMatches(expected: MessageExpectation, actual: ObservedMessage): boolean {
  if (typeof expected === 'string') return matchesText(expected, actual.body);
  return (
    (expected.body === undefined || matchesText(expected.body, actual.body)) &&
    (expected.to === undefined || matchesText(expected.to, actual.to)) &&
    (expected.from === undefined || matchesText(expected.from, actual.from)) &&
    (expected.widget === undefined || expected.widget === actual.widget) &&
    (expected.status === undefined || expected.status === actual.status) &&
    (expected.media === undefined || matchesValue(expected.media, actual.media ?? []))
  );
}

function stepMatches(expected: StepExpectation, actual: ObservedStep): boolean {
  const e = typeof expected === 'string' ? parseStepText(expected) : expected;
  return e.from === actual.from && (e.event === undefined || e.event === actual.event) && (e.to === undefined || e.to === actual.to);
}

/** The body as JSON, or undefined when it is none (a form, text, nothing). */
export function jsonBody(body: string | undefined): unknown {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** A request body against its expectation: text exactly or a /regex/; an object or list against the body read as JSON. */
export function bodyMatches(expected: NonNullable<RequestExpectation['body']>, actual: string | undefined): boolean {
  if (typeof expected === 'string') return matchesText(expected, actual ?? '');
  const parsed = jsonBody(actual);
  return parsed !== undefined && matchesValue(expected, parsed);
}

function requestMatches(expected: RequestExpectation, actual: ObservedRequest): boolean {
  return (
    (expected.method === undefined || expected.method.toUpperCase() === actual.method.toUpperCase()) &&
    (expected.url === undefined || matchesUrlExactly(expected.url, actual.url)) &&
    (expected.body === undefined || bodyMatches(expected.body, actual.body)) &&
    (expected.widget === undefined || expected.widget === actual.widget) &&
    (expected.parameters === undefined || matchesValue(expected.parameters, actual.parameters))
  );
}

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value));

/** What a requests expectation checks beyond method and URL, so a diff shows those of each request made: a body checked as JSON shows as JSON. */
interface RequestFields {
  body: false | 'text' | 'json';
  parameters: boolean;
}

function requestFields(expected: RequestExpectation[]): RequestFields {
  const bodies = expected.flatMap((e) => (e.body === undefined ? [] : [e.body]));
  return { body: bodies.length === 0 ? false : bodies.some((b) => typeof b === 'string') ? 'text' : 'json', parameters: expected.some((e) => e.parameters !== undefined) };
}

/** "post_order: POST https://… body "{…}"": the widget as messages show it, and the body and parameters when the expectation checks them. */
function requestText(r: ObservedRequest, fields: RequestFields): string {
  const json = fields.body === 'json' ? jsonBody(r.body) : undefined;
  const body = !fields.body ? '' : json !== undefined ? ` body ${JSON.stringify(json)}` : ` body ${show(r.body ?? '')}`;
  return `${r.widget}: ${r.method} ${r.url}${body}${fields.parameters ? ` parameters ${show(r.parameters)}` : ''}`;
}

/** An expected request in the same words: what it leaves out matches anything. */
function expectedRequestText(e: RequestExpectation): string {
  const parts = [e.method?.toUpperCase(), e.url, e.body !== undefined ? `body ${show(e.body)}` : undefined, e.parameters !== undefined ? `parameters ${show(e.parameters)}` : undefined].filter((part) => part !== undefined);
  return `${e.widget !== undefined ? `${e.widget}: ` : ''}${parts.join(' ')}`;
}

/** The first place a JSON body fails an object or list expected of it: "body.qty: expected 3, got 2". */
function firstMismatch(expected: unknown, actual: unknown, path: string): string | undefined {
  if (matchesValue(expected, actual)) return undefined;
  const got = (value: unknown) => (value === undefined ? 'not set' : `got ${show(value)}`);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected a list, ${got(actual)}`;
    if (actual.length !== expected.length) return `${path}: expected ${expected.length} item${expected.length === 1 ? '' : 's'}, got ${actual.length} (a list matches item for item)`;
    for (const [i, item] of expected.entries()) {
      const inner = firstMismatch(item, actual[i], `${path}[${i}]`);
      if (inner) return inner;
    }
  } else if (isRecord(expected)) {
    if (!isRecord(actual)) return `${path}: expected an object, ${got(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const inner = firstMismatch(value, Object.hasOwn(actual, key) ? actual[key] : undefined, `${path}.${key}`);
      if (inner) return inner;
    }
  }
  return `${path}: expected ${show(expected)}, ${got(actual)}`;
}

/** For an expected and an actual request set against each other: where a JSON body differs, or a text one nearly does. */
function nearRequest(e: RequestExpectation, a: ObservedRequest): string | undefined {
  // Only the request meant (its method, URL and widget as expected) whose body differs.
  if (e.body === undefined || bodyMatches(e.body, a.body) || !requestMatches({ ...e, body: undefined }, a)) return undefined;
  if (typeof e.body === 'string') return nearText(e.body, a.body ?? '');
  const parsed = jsonBody(a.body);
  return parsed === undefined ? 'the body sent is not JSON' : firstMismatch(e.body, parsed, 'body');
}

/** How far the body sent is from the one expected (JSON bodies compared as JSON written the same way). */
function requestDistance(e: RequestExpectation, a: ObservedRequest): number {
  if (typeof e.body === 'string') return textDistance(e.body, a.body ?? '');
  const parsed = jsonBody(a.body);
  return textDistance(JSON.stringify(e.body) ?? '', parsed === undefined ? (a.body ?? '') : (JSON.stringify(parsed) ?? ''));
}

/** Line diff of two sequences under a match predicate (longest common subsequence). */
export function sequenceDiff<E, A>(
  expected: E[],
  actual: A[],
  matches: (e: E, a: A) => boolean,
  showE: (e: E) => string,
  showA: (a: A) => string,
  /**
   * Called for each expected item in a run of changed lines, with the actual ones added there (their indexes):
   * the one it is set against when the run removes as many as it adds, else all of them.
   */
  onPair?: (index: number, against: number[]) => void,
): string[] {
  const n = expected.length;
  const m = actual.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = matches(expected[i]!, actual[j]!) ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const lines: string[] = [];
  let removed: number[] = [];
  let added: number[] = [];
  const pair = () => {
    if (onPair && added.length) removed.forEach((e, k) => onPair(e, removed.length === added.length ? [added[k]!] : added));
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && matches(expected[i]!, actual[j]!)) {
      pair();
      lines.push(`  ${showA(actual[j]!)}`);
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) {
      lines.push(`+ ${showA(actual[j]!)}`);
      added.push(j);
      j++;
    } else {
      lines.push(`- ${showE(expected[i]!)}`);
      removed.push(i);
      i++;
    }
  }
  pair();
  return lines;
}

/** The items of a sequence expectation, and whether it is the `{ contains }` form. */
export function sequenceItems<T>(expected: SequenceExpectation<T>): { items: T[]; contains: boolean } {
  return Array.isArray(expected) ? { items: expected, contains: false } : { items: expected.contains, contains: true };
}

/**
 * How many of `expected` appear in `actual` in order (others between them): matching each to the
 * earliest actual item left is never worse than a later one, so one pass finds whether all do.
 */
function inOrder<E, A>(expected: E[], actual: A[], matches: (e: E, a: A) => boolean): number {
  let j = 0;
  let found = 0;
  for (const e of expected) {
    while (j < actual.length && !matches(e, actual[j]!)) j++;
    if (j === actual.length) break;
    found++;
    j++;
  }
  return found;
}

/** "expected 1, got 3", or where the counts agree which entries do not match ("the 2nd of 2 does not match"). */
function countsOf<E, A>(expected: E[], actual: A[], matches: (e: E, a: A) => boolean): string {
  if (expected.length !== actual.length) return `expected ${expected.length}, got ${actual.length}`;
  if (expected.length === 1) return 'the one there does not match';
  const wrong = expected.flatMap((e, i) => (matches(e, actual[i]!) ? [] : [i + 1]));
  const ordinals = wrong.map(ordinal);
  const which = ordinals.length === 1 ? ordinals[0] : `${ordinals.slice(0, -1).join(', ')} and ${ordinals.at(-1)}`;
  return `the ${which} of ${expected.length} ${wrong.length === 1 ? 'does' : 'do'} not match`;
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

function compareSequence<E, A>(
  failures: Failure[],
  field: string,
  expectation: SequenceExpectation<E> | undefined,
  actual: A[],
  matches: (e: E, a: A) => boolean,
  showE: (e: E) => string,
  showA: (a: A) => string,
  /** Where an expected item and the actual one the diff sets against it differ, when they nearly match. */
  near?: (e: E, a: A) => string | undefined,
  /** How a hint names an actual item among several ("second_question's"). */
  nameA: (a: A, index: number) => string = (_a, index) => `the ${ordinal(index + 1)}`,
  /** How far apart an expected item and an actual one it nearly matches are, to pick the closest of several. */
  distance?: (e: E, a: A) => number,
): void {
  if (expectation === undefined) return;
  const { items: expected, contains } = sequenceItems(expectation);
  const key = field.split('.').at(-1)!;
  const hints: string[] = [];
  const onPair = near && ((index: number, against: number[]) => {
    // Set against one: where they differ. Among several added there: the closest it nearly matches (fewest
    // characters apart, the earlier on a tie), named. Only those it nearly matches are measured.
    let best: { j: number; hint: string; apart: number } | undefined;
    for (const j of against) {
      const hint = near(expected[index]!, actual[j]!);
      if (!hint) continue;
      if (against.length === 1 || !distance) {
        best = { j, hint, apart: 0 };
        break;
      }
      const apart = distance(expected[index]!, actual[j]!);
      if (!best || apart < best.apart) best = { j, hint, apart };
    }
    if (best) hints.push(`${key}[${index}]${against.length > 1 ? ` against ${nameA(actual[best.j]!, best.j)}` : ''}: ${best.hint}`);
  });
  const diff = () => sequenceDiff(expected, actual, matches, showE, showA, onPair);
  if (contains) {
    const found = inOrder(expected, actual, matches);
    if (found === expected.length) return;
    failures.push({
      field,
      message: `${field} (contains): not all found in this order — ${found} of ${expected.length} in order among the ${actual.length} there`,
      diff: diff(),
      ...(hints.length ? { hints } : {}),
    });
    return;
  }
  if (expected.length === actual.length && expected.every((e, i) => matches(e, actual[i]!))) return;
  // A shorter list most often means "these, among others": say the list is exact and how to write that.
  const hint = expected.length < actual.length ? `; the list is exact — to check only that these appear in this order, write ${key}: { contains: [...] }` : '';
  failures.push({
    field,
    message: `${field} differ (${countsOf(expected, actual, matches)}${hint})`,
    diff: diff(),
    ...(hints.length ? { hints } : {}),
  });
}

/** An expected text (not a /regex/) and the actual one: where they differ, when nearly the same. */
function nearText(expected: string | undefined, actual: string): string | undefined {
  return expected === undefined || isPattern(expected) ? undefined : textDifference(expected, actual);
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** "(widgets.ask has: body, status)": what the object holding a missing key does have, so a wrong key name shows. */
function setKeys(field: string, parent: Record<string, unknown> | undefined): string {
  if (!parent) return '';
  const where = field.slice(0, field.lastIndexOf('.'));
  const keys = Object.keys(parent);
  if (keys.length === 0) return ` (${where} has nothing set)`;
  const shown = keys.slice(0, 20).join(', ') + (keys.length > 20 ? `, … (${keys.length} in all)` : '');
  return ` (${where} has: ${shown})`;
}

/** Subset comparison of objects: one failure per mismatched or missing leaf. `parent`: the object `actual` was read from. */
function compareSubset(failures: Failure[], field: string, expected: unknown, actual: unknown, parent?: Record<string, unknown>): void {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || actual === undefined || typeof actual !== 'object' || Array.isArray(actual)) {
      failures.push({ field, message: `${field}: expected an object`, expected, actual: actual ?? null });
      return;
    }
    const object = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) compareSubset(failures, `${field}.${key}`, value, Object.hasOwn(object, key) ? object[key] : undefined, object);
    return;
  }
  if (!matchesValue(expected, actual)) {
    const hint = typeof expected === 'string' && typeof actual === 'string' ? nearText(expected, actual) : undefined;
    failures.push({ field, message: actual === undefined ? `${field} is not set${setKeys(field, parent)}` : `${field} differs`, expected, actual: actual === undefined ? '(not set)' : actual, ...(hint ? { hints: [hint] } : {}) });
  }
}

export function endMatches(expected: EndExpectation, observation: Observation): boolean {
  if (typeof expected === 'string') return expected === observation.end;
  return observation.end === 'error' && observation.error?.code === expected.error && (expected.message === undefined || matchesText(expected.message, observation.error.message));
}

export function endText(observation: Pick<Observation, 'end' | 'error'>): string {
  return observation.end === 'error' && observation.error ? `error ${observation.error.code}: ${observation.error.message}` : observation.end;
}

export function messageText(m: ObservedMessage): string {
  const extra = m.status !== 'sent' ? `  [${m.status}${m.errorCode !== undefined ? ` ${m.errorCode}` : ''}]` : '';
  return `${m.widget}: ${show(m.body)}${extra}`;
}

/**
 * What `observation` breaks of `expect`. `widgets`: the names of the flow's widgets; with it, a name
 * the expectation gives that the flow does not have is said to be one (with the closest name), not
 * left to read as a plain mismatch. `variables`: the names the flow's Set Variables widgets set; with it,
 * a variable expected that neither the run nor the flow sets is said to be no variable of the flow.
 */
export function checkExpectations(expect: Expectations, observation: Observation, prefix = '', widgets?: ReadonlySet<string>, variables?: ReadonlySet<string>): Failure[] {
  const failures: Failure[] = [];
  const f = (name: string) => prefix + name;
  /** Adds the "not a widget" lines to the failure `key` just added, if it names any. */
  const hintNames = (key: 'path' | 'steps', before: number) => {
    const failure = failures.length > before ? failures.at(-1) : undefined;
    const unknown = failure && widgets ? unknownNames(key, expect, widgets) : [];
    if (!failure || unknown.length === 0) return;
    failure.message += unknown.map((name) => `\n${notAWidget(name, widgets!)}`).join('');
    failure.notInFlow = unknown;
  };
  compareSequence(failures, f('messages'), expect.messages, observation.messages, messageMatches, (e) => (typeof e === 'string' ? show(e) : show(e)), messageText, (e, a) => nearText(typeof e === 'string' ? e : e.body, a.body), (a) => `${a.widget}'s`, (e, a) => textDistance((typeof e === 'string' ? e : e.body) ?? '', a.body));
  compareSequence(failures, f('heard'), expect.heard, observation.heard, (e, a) => matchesText(e, a), show, show, nearText, undefined, textDistance);
  let before = failures.length;
  compareSequence(failures, f('path'), expect.path, observation.path, (e, a) => e === a, String, String);
  hintNames('path', before);
  before = failures.length;
  compareSequence(failures, f('steps'), expect.steps, observation.steps.filter((s) => !s.subflow), stepMatches, (e) => (typeof e === 'string' ? e : show(e)), stepText);
  hintNames('steps', before);
  if (expect.requests !== undefined) {
    const fields = requestFields(sequenceItems(expect.requests).items);
    compareSequence(failures, f('requests'), expect.requests, observation.requests, requestMatches, expectedRequestText, (r) => requestText(r, fields), nearRequest, (a) => `${a.widget}'s`, requestDistance);
  }
  const context = observation.context as { flow?: { variables?: Json; data?: Json }; widgets?: Json };
  if (expect.variables) {
    const set = context.flow?.variables ?? {};
    const expected = expect.variables as Record<string, unknown>;
    // Neither set by this run nor by any Set Variables of the flow: a misspelt name, never a value to fill in.
    const unknown = variables && isRecord(set) && isRecord(expected) ? Object.keys(expected).filter((name) => !Object.hasOwn(set, name) && !variables.has(name) && !matchesValue(expected[name], undefined)) : [];
    const known = new Set([...(variables ?? []), ...(isRecord(set) ? Object.keys(set) : [])]);
    for (const name of unknown) {
      failures.push({ field: f(`variables.${name}`), message: `${f(`variables.${name}`)}: ${notAVariable(name, known)}`, expected: expected[name], actual: '(not set)', notInFlow: [name] });
    }
    compareSubset(failures, f('variables'), unknown.length ? Object.fromEntries(Object.entries(expected).filter(([name]) => !unknown.includes(name))) : expected, set);
  }
  if (expect.data) compareSubset(failures, f('data'), expect.data, context.flow?.data ?? {});
  if (expect.widgets) {
    const outputs = context.widgets ?? {};
    const expected = expect.widgets as Record<string, unknown>;
    const unknown = widgets && isRecord(outputs) && isRecord(expected) ? Object.keys(expected).filter((name) => !widgets.has(name) && !Object.hasOwn(outputs, name)) : [];
    // One failure for a widget the flow does not have, instead of one "not set" per output expected of it.
    for (const name of unknown) {
      failures.push({ field: f(`widgets.${name}`), message: `${f(`widgets.${name}`)}: ${notAWidget(name, widgets!)}`, expected: expected[name], notInFlow: [name] });
    }
    // A widget of the flow with no outputs: say whether it ran, instead of "expected an object" against nothing.
    const mainSteps = observation.steps.filter((s) => !s.subflow);
    const unset = isRecord(outputs) && isRecord(expected) ? Object.keys(expected).filter((name) => !unknown.includes(name) && !Object.hasOwn(outputs, name) && !matchesValue(expected[name], undefined)) : [];
    for (const name of unset) {
      const left = mainSteps.findLast((s) => s.from === name);
      const ran = left !== undefined || observation.path.includes(name);
      const why = !ran ? `'${name}' did not run` : left ? `'${name}' ran but set no outputs (it left by '${left.event}')` : `'${name}' has not finished (no outputs yet)`;
      failures.push({ field: f(`widgets.${name}`), message: `${f(`widgets.${name}`)} is not set: ${why}`, expected: expected[name], actual: '(not set)' });
    }
    const rest = unknown.length || unset.length ? Object.fromEntries(Object.entries(expected).filter(([name]) => !unknown.includes(name) && !unset.includes(name))) : expected;
    compareSubset(failures, f('widgets'), rest, outputs);
  }
  if (expect.end !== undefined && !endMatches(expect.end, observation)) {
    // Mid-script, the step is named as every other expectation's failure names it.
    failures.push({ field: f('end'), message: `${prefix ? `${f('end')}: ` : ''}the execution's end differs`, expected: typeof expect.end === 'string' ? expect.end : `error ${expect.end.error}`, actual: endText(observation) });
  }
  return failures;
}

/** The expectations a run satisfies, for --update and --record (messages as bodies, path, end, variables). */
export function expectationsFrom(observation: Observation, keys: (keyof Expectations)[] = ['messages', 'path', 'end']): Expectations {
  const out: Expectations = {};
  const context = observation.context as { flow?: { variables?: JsonObject; data?: JsonObject }; widgets?: JsonObject };
  for (const key of keys) {
    switch (key) {
      case 'messages':
        out.messages = observation.messages.map((m) => (m.status === 'sent' ? m.body : { body: m.body, status: m.status }));
        break;
      case 'heard':
        out.heard = [...observation.heard];
        break;
      case 'path':
        out.path = [...observation.path];
        break;
      case 'steps':
        out.steps = observation.steps.filter((s) => !s.subflow).map(stepText);
        break;
      case 'requests':
        out.requests = observation.requests.map((r) => ({ method: r.method, url: r.url }));
        break;
      case 'variables':
        out.variables = context.flow?.variables ?? {};
        break;
      case 'data':
        out.data = context.flow?.data ?? {};
        break;
      case 'widgets':
        out.widgets = context.widgets ?? {};
        break;
      case 'end':
        out.end = observation.end === 'error' && observation.error ? { error: observation.error.code } : observation.end;
        break;
    }
  }
  return out;
}
