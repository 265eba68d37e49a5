// What a replayed flow DID, beyond its path, messages and outputs: the requests its widgets made
// (Make HTTP Request, Run Function) and the TwiML each call widget answered with (what the caller
// heard and was asked: Say text, Play URLs, Gather prompts and attributes, Dial targets…). A replay
// answers a request from the recording by widget, so a request to another URL or with another body
// gets the recorded response and changes no output: only comparing what was asked shows it. The
// baseline is the revision the execution ran, replayed with the same recorded answers (nothing extra
// is stored), compared widget by widget, occurrence by occurrence.
import type { EngineEvent, JsonObject, TwimlNode } from '../engine/types.ts';
import { fieldDifferences, type FieldDifference } from './output-fields.ts';
import type { ReplayBudget } from './replay-budget.ts';
import { Simulation, type Responder, type SimulationOptions, type StartSpec } from './simulation.ts';
import type { FlowDefinition } from '../definition/types.ts';
import type { ObservedRequest } from './types.ts';

/** `request`: Make HTTP Request; `function`: Run Function; `voice`: the TwiML a call widget answered with. */
export type EffectKind = 'request' | 'function' | 'voice';

/** One thing a widget did. */
export interface WidgetEffect {
  widget: string;
  kind: EffectKind;
  detail: JsonObject;
}

export interface EffectDifference {
  widget: string;
  kind: EffectKind;
  /** Which time the widget did it (1 for the first), when a loop runs it more than once. */
  occurrence: number;
  original: JsonObject;
  replay: JsonObject;
  fields: FieldDifference[];
}

/** TwiML as data without its callback marks (the API layer's URLs, not the flow's). */
function twimlDetail(nodes: TwimlNode[]): JsonObject[] {
  return nodes.map((node) => ({
    verb: node.verb,
    ...(node.attributes && Object.keys(node.attributes).length > 0 ? { attributes: { ...node.attributes } } : {}),
    ...(node.text !== undefined ? { text: node.text } : {}),
    ...(node.children?.length ? { children: twimlDetail(node.children) } : {}),
  }));
}

/**
 * A Simulation that keeps each call widget's TwiML as the call reached it: every state the engine
 * returns passes through `deliver` (or `start`, then `settle`), so each wait is seen once. With a
 * budget, its Liquid allowance goes into every sprint and the budget is checked after each one.
 */
export class TranscribedSimulation extends Simulation {
  readonly voice: WidgetEffect[] = [];
  readonly #seen = new Set<string>();
  readonly #budget: ReplayBudget | null;

  constructor(definition: FlowDefinition, responder: Responder, options: SimulationOptions = {}, budget: ReplayBudget | null = null) {
    super(definition, responder, budget ? { ...options, liquidAllowance: budget.liquid } : options);
    this.#budget = budget;
  }

  #capture(): void {
    const frame = this.state?.frames.at(-1);
    const wait = frame?.wait;
    // A ringing outbound call has no TwiML yet; a widget the caller hung up on plays nothing.
    if (!wait || wait.kind !== 'call' || wait.twiml.length === 0 || wait.hungUp || this.#seen.has(wait.callbackId)) return;
    this.#seen.add(wait.callbackId);
    this.voice.push({ widget: frame.current ?? '', kind: 'voice', detail: { twiml: twimlDetail(wait.twiml) } });
  }

  override start(spec: StartSpec): void {
    super.start(spec);
    this.#budget?.check();
  }

  override deliver(event: EngineEvent): void {
    super.deliver(event);
    // Between sprints: a replay past its budget stops here (ReplayTooCostly).
    this.#budget?.check();
    this.#capture();
  }

  override settle(): void {
    this.#capture();
    super.settle();
  }
}

/** A request as the server would send it (a GET's parameters in its URL as well). */
function requestEffect(r: ObservedRequest): WidgetEffect {
  const detail: JsonObject = { method: r.method, url: r.url };
  if (r.body !== undefined) detail.body = r.body;
  if (Object.keys(r.parameters).length > 0) detail.parameters = { ...r.parameters };
  return { widget: r.widget, kind: r.purpose === 'function' ? 'function' : 'request', detail };
}

/** Everything the run's widgets did, in order. */
export function effectTranscript(requests: readonly ObservedRequest[], voice: readonly WidgetEffect[]): WidgetEffect[] {
  return [...requests.map(requestEffect), ...voice];
}

function byWidget(effects: readonly WidgetEffect[]): Map<string, WidgetEffect[]> {
  const map = new Map<string, WidgetEffect[]>();
  for (const e of effects) {
    const key = `${e.kind}\u0000${e.widget}`;
    map.set(key, [...(map.get(key) ?? []), e]);
  }
  return map;
}

/**
 * Where the replay's widgets did something else than the original's, occurrence by occurrence. A
 * widget only one run reached (or reached more often) is the path's difference, reported there.
 */
export function effectDifferences(original: readonly WidgetEffect[], replay: readonly WidgetEffect[]): EffectDifference[] {
  const theirs = byWidget(replay);
  const differences: EffectDifference[] = [];
  for (const [key, ours] of byWidget(original)) {
    const other = theirs.get(key) ?? [];
    for (let i = 0; i < Math.min(ours.length, other.length); i++) {
      const a = ours[i]!;
      const b = other[i]!;
      const fields = fieldDifferences(a.detail, b.detail, (x, y) => JSON.stringify(x) === JSON.stringify(y));
      if (fields.length > 0) differences.push({ widget: a.widget, kind: a.kind, occurrence: i + 1, original: a.detail, replay: b.detail, fields });
    }
  }
  return differences;
}

const shown = (value: unknown) => JSON.stringify(value) ?? 'undefined';

const WHAT: Record<EffectKind, string> = {
  request: 'the HTTP request of',
  function: 'the Function call of',
  voice: 'what the caller heard from',
};

/** A difference as report lines: a heading, then "- path: original" and "+ path: replay" per field. */
export function effectDifferenceLines(d: EffectDifference): string[] {
  const nth = d.occurrence > 1 ? ` (time ${d.occurrence})` : '';
  const lines = [`${WHAT[d.kind]} '${d.widget}'${nth} differs${d.kind === 'voice' ? '' : ' (answered with the response recorded for the original request)'}:`];
  for (const f of d.fields) {
    if ('original' in f) lines.push(`  - ${f.path || '(value)'}: ${shown(f.original)}`);
    if ('replay' in f) lines.push(`  + ${f.path || '(value)'}: ${shown(f.replay)}`);
  }
  return lines;
}
