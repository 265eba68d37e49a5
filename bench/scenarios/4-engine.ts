// Scenario 4: the pure engine's steps per second over a mix of real flows (../shared/flows, read in
// place; else our own fixtures), against liquidjs alone rendering the same flows' templates with
// the same contexts: how much the interpreter costs on top of the Liquid it must render anyway.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Liquid, type Template } from 'liquidjs';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { isLegacyDefinition, migrateDefinition } from '../../src/definition/migrate.ts';
import { executionContext, handleEvent, startExecution } from '../../src/engine/interpreter.ts';
import type { Effect, EngineEvent, EngineInput, ExecutionState, JsonObject, SprintResult, TriggerEvent } from '../../src/engine/types.ts';
import { SHARED_DIR, type Scenario } from '../lib/context.ts';
import { figure } from '../lib/report.ts';

const FIXTURES = new URL('../../test/fixtures/flows/', import.meta.url);
const MESSAGING_TRIGGERS: TriggerEvent[] = ['incomingMessage', 'incomingRequest', 'incomingConversationMessage', 'incomingParent'];
const MAX_SPRINTS = 40;
const MAX_REPLIES = 4;

interface BenchFlow {
  name: string;
  definition: FlowDefinition;
  trigger: TriggerEvent;
  templates: string[];
}

export function loadFlows(): { source: string; flows: BenchFlow[]; skipped: number } {
  const shared = new URL('flows/', SHARED_DIR);
  const dir = existsSync(shared) ? shared : FIXTURES;
  const flows: BenchFlow[] = [];
  let skipped = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    try {
      const raw = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as FlowDefinition;
      const definition = isLegacyDefinition(raw) ? (migrateDefinition(raw).definition as FlowDefinition) : raw;
      const trigger = definition.states.find((s) => s.type === 'trigger');
      const event = MESSAGING_TRIGGERS.find((e) => trigger?.transitions.some((t) => t.event === e && t.next));
      if (!event) {
        skipped++; // voice-only flows: their events are calls, not messages
        continue;
      }
      flows.push({ name: file, definition, trigger: event, templates: templatesOf(definition) });
    } catch {
      skipped++;
    }
  }
  return { source: fileURLToPath(dir), flows, skipped };
}

/** Every string in the widgets' properties that contains Liquid markup. */
function templatesOf(definition: FlowDefinition): string[] {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') {
      if (value.includes('{{') || value.includes('{%')) found.push(value);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  for (const state of definition.states) walk(state.properties);
  return found;
}

/** The answer the outside world gives to whatever the execution waits for; null when it waits for nothing we simulate. */
function nextEvent(state: ExecutionState, effects: Map<string, Effect>, replies: number): EngineEvent | null {
  const wait = state.frames[state.frames.length - 1]!.wait;
  if (!wait) return null;
  if (wait.kind === 'reply') {
    if (replies >= MAX_REPLIES) return { type: 'timer', timerId: wait.timerId };
    return { type: 'inbound-message', message: { Body: '1', From: state.contactAddress, To: state.channelAddress, MessageSid: 'SM' + '1'.repeat(32) } };
  }
  if (wait.kind !== 'effect') return null;
  const effect = effects.get(wait.effectId);
  switch (effect?.type) {
    case 'send-message':
      return { type: 'effect-result', effectId: effect.effectId, result: { kind: 'message-sent', message: { Sid: 'SM' + '2'.repeat(32), Status: 'queued', Body: effect.message.body } } };
    case 'http-request':
      return {
        type: 'effect-result',
        effectId: effect.effectId,
        result: { kind: 'http-response', statusCode: 200, contentType: 'application/json', body: '{"ok":true,"status":"1","name":"Ada","items":[1,2,3]}' },
      };
    case 'load-subflow':
      return { type: 'effect-result', effectId: effect.effectId, result: { kind: 'subflow-missing', message: 'not loaded in the benchmark' } };
    case 'start-conversation':
      return { type: 'effect-result', effectId: effect.effectId, result: { kind: 'conversation-failed', code: 50050, message: 'not in the benchmark' } };
    default:
      return null;
  }
}

/** Runs one execution of a flow to its end (or until it waits for something not simulated). */
export function runFlow(flow: BenchFlow, run: number): { steps: number; sprints: number; state: ExecutionState } {
  let ids = 0;
  let clock = 1_700_000_000_000;
  const input: EngineInput = {
    definition: flow.definition,
    now: clock,
    newId: (prefix) => prefix + (++ids).toString(16).padStart(32, '0'),
  };
  const triggerData: JsonObject =
    flow.trigger === 'incomingRequest'
      ? { request: { from: '+15005550006', to: '+15551230000', parameters: { name: 'Ada' } } }
      : { message: { Body: 'hello', From: '+15551230000', To: '+15005550006', MessageSid: 'SM' + '3'.repeat(32) } };
  let result: SprintResult = startExecution(
    input,
    { executionSid: 'FN' + run.toString(16).padStart(32, '0'), accountSid: 'AC' + '0'.repeat(32), flowSid: 'FW' + '0'.repeat(32), revision: 1, channelAddress: '+15005550006', contactAddress: '+15551230000' },
    flow.trigger,
    triggerData,
    flow.trigger === 'incomingRequest' ? { name: 'Ada' } : {},
  );
  const effects = new Map<string, Effect>();
  let steps = result.steps.length;
  let sprints = 1;
  let replies = 0;
  for (; sprints < MAX_SPRINTS && result.state.status === 'active'; sprints++) {
    for (const effect of result.effects) if ('effectId' in effect) effects.set(effect.effectId, effect);
    const event = nextEvent(result.state, effects, replies);
    if (!event) break;
    if (event.type === 'inbound-message') replies++;
    clock += 1000;
    input.now = clock;
    result = handleEvent(input, result.state, event);
    steps += result.steps.length;
  }
  return { steps, sprints, state: result.state };
}

function timeLoop(seconds: number, body: () => number): { units: number; seconds: number } {
  const started = performance.now();
  const until = started + seconds * 1000;
  let units = 0;
  while (performance.now() < until) units += body();
  return { units, seconds: (performance.now() - started) / 1000 };
}

export const engine: Scenario = {
  id: 4,
  title: 'Pure engine steps/s vs liquidjs rendering the same templates',
  async run(ctx) {
    const { source, flows, skipped } = loadFlows();
    const seconds = ctx.pick({ full: 10, quick: 1.5, smoke: 0.3 });
    const usable: { flow: BenchFlow; context: Record<string, unknown> }[] = [];
    for (const flow of flows) {
      try {
        const { steps, state } = runFlow(flow, 0);
        if (steps > 0) usable.push({ flow, context: executionContext(state) });
      } catch {
        /* an engine crash would be a bug the engine tests catch; the benchmark just leaves the flow out */
      }
    }
    if (usable.length === 0) return { id: 4, title: this.title, status: 'skipped', reason: `no runnable messaging flow in ${source}`, notes: [] };
    // liquidjs alone: the same templates, parsed once (as the engine caches them), rendered with the
    // final context of each flow's execution.
    const liquid = new Liquid();
    const compiled: { template: Template[]; context: Record<string, unknown> }[] = [];
    for (const { flow, context } of usable) {
      for (const text of flow.templates) {
        try {
          const template = liquid.parse(text);
          liquid.renderSync(template, context);
          compiled.push({ template, context });
        } catch {
          /* templates liquidjs rejects are not part of the baseline */
        }
      }
    }
    let run = 1;
    const sweepEngine = () => usable.reduce((n, u) => n + runFlow(u.flow, run++).steps, 0);
    const sweepLiquid = () => {
      for (const c of compiled) liquid.renderSync(c.template, c.context);
      return compiled.length;
    };
    timeLoop(Math.min(1, seconds / 3), sweepEngine);
    timeLoop(Math.min(1, seconds / 3), sweepLiquid);
    // Alternating short slices, so both sides see the same machine load (it is shared and noisy).
    ctx.log(`  engine (${usable.length} flows) and liquidjs (${compiled.length} templates), alternating, ${seconds}s each`);
    const engineRun = { units: 0, seconds: 0 };
    const liquidRun = { units: 0, seconds: 0 };
    const slice = 0.25;
    for (let done = 0; done < seconds; done += slice) {
      const e = timeLoop(slice, sweepEngine);
      engineRun.units += e.units;
      engineRun.seconds += e.seconds;
      const l = timeLoop(slice, sweepLiquid);
      liquidRun.units += l.units;
      liquidRun.seconds += l.seconds;
    }
    const stepsPerSecond = engineRun.units / engineRun.seconds;
    const rendersPerSecond = liquidRun.units / liquidRun.seconds;
    return {
      id: 4,
      title: this.title,
      status: 'ok',
      ...(ctx.quick ? { scaled: `${ctx.mode.toUpperCase()}: ${seconds}s per measurement instead of 10s` } : {}),
      figures: [
        figure('engine steps per second (flow mix)', stepsPerSecond, 'steps/s', {
          baseline: { name: 'liquidjs alone, same templates', value: rendersPerSecond, unit: 'renders/s' },
          target: { of: 'ratio', op: '>=', value: 0.5 },
        }),
      ],
      notes: [
        `${usable.length} messaging flows from ${source} (${skipped} voice-only or unreadable skipped), ${compiled.length} Liquid templates; each execution is driven to its end with simulated answers (messages sent, HTTP 200 JSON, replies "1", then a reply timeout).`,
      ],
    };
  },
};
