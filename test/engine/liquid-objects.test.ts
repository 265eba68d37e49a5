// Objects printed by Liquid (JSON by default, Java's `{k=v}` as an option) and `"type": "json_object"`
// on Run Subflow parameters and Set Variables items: the subflow/variable gets an object, not text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderTemplate, type RenderOptions } from '../../src/engine/liquid.ts';
import { handleEvent, startExecution } from '../../src/engine/interpreter.ts';
import type { Effect, EffectResult, EngineInput, EngineLimits, ExecutionState, JsonObject, SprintResult, TriggerEvent } from '../../src/engine/types.ts';
import type { FlowDefinition, State } from '../../src/definition/types.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const render = (template: string, context: Record<string, unknown>, opts: Partial<RenderOptions> = {}) => {
  const r = renderTemplate(template, context, { now: NOW, ...opts });
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
};

const CTX = {
  widgets: { getFlags: { parsed: { flags: ['blocked'], n: 2, ok: true, none: null, nested: { a: 'x' } } } },
  flow: { data: { k1: 'v1', k2: 'v2' }, list: [{ a: 1 }, { b: 'x' }], words: ['a', 'b'] },
};

describe('Liquid prints objects', () => {
  it('as compact JSON by default (objects, arrays of objects), never [object Object]', () => {
    assert.equal(render('{{widgets.getFlags.parsed}}', CTX), '{"flags":["blocked"],"n":2,"ok":true,"none":null,"nested":{"a":"x"}}');
    assert.equal(render('data = {{flow.data}}', CTX), 'data = {"k1":"v1","k2":"v2"}');
    assert.equal(render('{{flow.list}}', CTX), '[{"a":1},{"b":"x"}]');
    assert.equal(render('{{ flow.data | default: "none" }}', CTX), '{"k1":"v1","k2":"v2"}');
  });

  it('inside a capture as in the output', () => {
    assert.equal(render('{% capture body %}{"data":{{ flow.data }}}{% endcapture %}{{ body }}', CTX), '{"data":{"k1":"v1","k2":"v2"}}');
    assert.equal(render('{% capture l %}{{ flow.list }}{% endcapture %}{{ l }}', CTX), '[{"a":1},{"b":"x"}]');
    assert.equal(render('{% capture m %}{{ flow.data }}{% endcapture %}{{ m }}', CTX, { objectFormat: 'map' }), '{k1=v1, k2=v2}');
    assert.equal(render('{% capture w %}{{ flow.words }}{% endcapture %}{{ w }}', CTX), 'ab');
  });

  it('join prints the objects it joins as the output does', () => {
    assert.equal(render('{{ flow.list | join: "," }}', CTX), '{"a":1},{"b":"x"}');
    assert.equal(render('{{ flow.list | join: "; " }}', CTX, { objectFormat: 'map' }), '{a=1}; {b=x}');
    assert.equal(render('{{ flow.words | join: "-" }} {{ flow.words | join }}', CTX), 'a-b a b');
  });

  it('string filters given an object work on its printed form, never [object Object]; size counts its keys', () => {
    assert.equal(render(`{{ flow.data | replace: '"', '' }}`, CTX), '{k1:v1,k2:v2}');
    assert.equal(render('{{ flow.data | upcase }}', CTX), '{"K1":"V1","K2":"V2"}');
    assert.equal(render('{{ flow.list | append: "!" }}', CTX), '[{"a":1},{"b":"x"}]!');
    assert.equal(render('{{ flow.data | strip | truncate: 10 }}', CTX), '{"k1":"...');
    assert.equal(render('{{ flow.data | replace: "v1", "X" }}', CTX, { objectFormat: 'map' }), '{k1=X, k2=v2}');
    assert.equal(render('{{ flow.data | size }}', CTX), '2');
    assert.equal(render('{{ flow.words | size }} {{ "abc" | size }} {{ nothing | size }}', CTX), '2 3 0');
    // Arrays of scalars keep liquidjs' behaviour.
    assert.equal(render('{{ flow.words | join: "-" | upcase }}', CTX), 'A-B');
  });

  it("as Java's Map.toString with objectFormat 'map', nested likewise", () => {
    const opts = { objectFormat: 'map' } as const;
    assert.equal(render('{{widgets.getFlags.parsed}}', CTX, opts), '{flags=[blocked], n=2, ok=true, none=null, nested={a=x}}');
    assert.equal(render('{{flow.data}}', CTX, opts), '{k1=v1, k2=v2}');
    assert.equal(render('{{flow.list}}', CTX, opts), '[{a=1}, {b=x}]');
  });

  it('arrays of scalars and scalars print as before (items joined)', () => {
    for (const objectFormat of ['json', 'map'] as const) {
      assert.equal(render('{{flow.words}}', CTX, { objectFormat }), 'ab');
      assert.equal(render('{{widgets.getFlags.parsed.flags}}|{{widgets.getFlags.parsed.n}}', CTX, { objectFormat }), 'blocked|2');
    }
  });

  it('the printed object still counts against the 16 KB output cap', () => {
    const big = { flow: { data: { text: 'x'.repeat(16 * 1024) } } };
    const r = renderTemplate('{{flow.data}}', big, { now: NOW });
    assert.equal(r.ok, false);
  });
});

// ---- a small runtime around the pure engine

type W = Omit<State, 'properties' | 'type'> & { type: string; properties?: Record<string, unknown> };

function flow(first: string, widgets: W[], event: TriggerEvent = 'incomingRequest'): FlowDefinition {
  const events: TriggerEvent[] = ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'];
  return {
    description: 'test',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: events.map((e) => (e === event ? { event: e, next: first } : { event: e })), properties: { offset: { x: 0, y: 0 } } },
      ...widgets.map((w) => ({ ...w, properties: { offset: { x: 0, y: 0 }, ...w.properties } }) as State),
    ],
  };
}

class Run {
  state!: ExecutionState;
  pending: Effect[] = [];
  last!: SprintResult;
  n = 0;
  readonly definition: FlowDefinition;
  readonly limits: Partial<EngineLimits>;
  constructor(definition: FlowDefinition, limits: Partial<EngineLimits> = {}) {
    this.definition = definition;
    this.limits = limits;
  }
  input(): EngineInput {
    return { definition: this.definition, now: NOW.getTime(), newId: (p) => p + String(++this.n).padStart(32, '0'), limits: this.limits };
  }
  take(result: SprintResult): void {
    this.last = result;
    this.state = result.state;
    for (const e of result.effects) if (e.type !== 'set-timer' && e.type !== 'cancel-timer') this.pending.push(e);
  }
  start(data: JsonObject, event: TriggerEvent = 'incomingRequest'): this {
    const ids = { executionSid: 'FN' + '0'.repeat(32), accountSid: 'AC' + '0'.repeat(32), flowSid: 'FW' + '0'.repeat(32), revision: 1, channelAddress: '+15005550006', contactAddress: '+15551230001' };
    this.take(startExecution(this.input(), ids, event, { request: { from: '+15551230001', to: '+15005550006', parameters: data } }, data));
    return this;
  }
  answer(result: EffectResult): Effect {
    const effect = this.pending.shift();
    assert.ok(effect && effect.type !== 'set-timer' && effect.type !== 'cancel-timer', 'an effect is pending');
    this.take(handleEvent(this.input(), this.state, { type: 'effect-result', effectId: effect.effectId, result }));
    return effect;
  }
  get variables(): JsonObject {
    return this.state.frames[0]!.variables;
  }
}

describe('the engine prints objects in the configured format', () => {
  const def = flow('v', [{ name: 'v', type: 'set-variables', transitions: [{ event: 'next' }], properties: { variables: [{ key: 'printed', value: '{{flow.data}}' }] } }]);

  it('JSON by default, map when limits.objectFormat says so', () => {
    assert.equal(new Run(def).start({ a: 'x', n: 1 }).variables.printed, '{"a":"x","n":1}');
    assert.equal(new Run(def, { objectFormat: 'map' }).start({ a: 'x', n: 1 }).variables.printed, '{a=x, n=1}');
  });
});

describe('json_object typed values', () => {
  const SUB = 'FW' + '1'.repeat(32);
  const parent = (parameters: unknown[]) =>
    flow('sub', [
      { name: 'sub', type: 'run-subflow', transitions: [{ event: 'completed' }, { event: 'failed' }], properties: { flow_sid: SUB, flow_revision: 'LatestPublished', parameters } },
    ]);
  const child = flow(
    'inner',
    [
      {
        name: 'inner',
        type: 'set-variables',
        transitions: [{ event: 'next' }],
        properties: {
          variables: [
            { key: 'deep', value: '{{trigger.parent.parameters.p.a.b}}' },
            { key: 'text', value: '{{trigger.parent.parameters.s}}' },
            { key: 'bad', value: '{{trigger.parent.parameters.bad}}' },
            { key: 'flowData', value: '{{trigger.parent.parameters.flow.data.k}}' },
          ],
        },
      },
    ],
    'incomingParent',
  );

  it('Run Subflow parameters typed json_object reach the subflow as objects; other types and invalid JSON stay text', () => {
    const run = new Run(
      parent([
        { type: 'json_object', key: 'p', value: '{"a":{"b":1}}' },
        { type: 'string', key: 's', value: '{"a":1}' },
        { type: 'json_object', key: 'bad', value: '{not json' },
        // techmatters' usvc flows pass {{flow}} this way: it must print as JSON to parse.
        { type: 'json_object', key: 'flow', value: '{{flow}}' },
      ]),
    ).start({ k: 'v' });
    run.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 1, definition: child });
    const outputs = run.state.frames[0]!.widgets.sub as JsonObject;
    assert.equal(outputs.deep, 1);
    assert.equal(outputs.text, '{"a":1}');
    assert.equal(outputs.bad, '{not json');
    assert.equal(outputs.flowData, 'v');
  });

  it('Set Variables items typed json_object are parsed; invalid JSON keeps the text', () => {
    const def = flow('v', [
      {
        name: 'v',
        type: 'set-variables',
        transitions: [{ event: 'next', next: 'w' }],
        properties: {
          variables: [
            { key: 'o', value: '{"a":{"b":7}}', type: 'json_object' },
            { key: 'bad', value: '[1,', type: 'json_object' },
            { key: 's', value: '{"a":1}', type: 'string' },
          ],
        },
      },
      { name: 'w', type: 'set-variables', transitions: [{ event: 'next' }], properties: { variables: [{ key: 'b', value: '{{flow.variables.o.a.b}}' }] } },
    ]);
    const run = new Run(def).start({});
    assert.deepEqual(run.variables.o, { a: { b: 7 } });
    assert.equal(run.variables.bad, '[1,');
    assert.equal(run.variables.s, '{"a":1}');
    assert.equal(run.variables.b, 7);
  });
});

// ---- a real export: Twilio's patient-appointment-management flow hands {{flow.data}} to a Function
// (save-booked) that splits Studio's printed object on `,` and `=`.

const REAL = new URL('../../../shared/flows/twilio-labs__function-templates__patient-appointment-management_assets_studio-flow-template.private.json', import.meta.url);

/** What save-booked.protected.js does with event.appointment (re-stated here, not copied). */
function parseLikeSaveBooked(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.replace('{', '').replace('}', '').split(',')) {
    const [k = '', v = ''] = pair.split('=');
    out[k.trim()] = v.trim();
  }
  return out;
}

describe('real flow: patient-appointment-management passes {{flow.data}} to save-booked', () => {
  const data = { event_type: 'BOOKED', appointment_id: 'A1', patient_id: 'P9', appointment_datetime: '2026-03-02T10:00:00Z' };

  function appointmentParameter(t: { skip: (m: string) => void }, limits: Partial<EngineLimits>): string | undefined {
    if (!existsSync(REAL)) {
      t.skip(`real flow not found at ${fileURLToPath(REAL)}`);
      return undefined;
    }
    const run = new Run(JSON.parse(readFileSync(REAL, 'utf8')) as FlowDefinition, limits).start(data);
    const dateParts = run.answer({ kind: 'http-response', statusCode: 200, contentType: 'application/json', body: '{"readable_datetime":"Monday"}' });
    assert.equal(dateParts.type === 'http-request' && dateParts.widget, 'get-datetime-parts');
    const save = run.pending[0];
    assert.ok(save && save.type === 'http-request' && save.widget === 'save-booked', `save-booked is called, got ${JSON.stringify(save)}`);
    return save.request.parameters.find((p) => p.key === 'appointment')?.value;
  }

  it("with objectFormat 'map' the Function reads the appointment's fields", (t) => {
    const printed = appointmentParameter(t, { objectFormat: 'map' });
    if (printed === undefined) return;
    assert.equal(printed, '{event_type=BOOKED, appointment_id=A1, patient_id=P9, appointment_datetime=2026-03-02T10:00:00Z}');
    assert.deepEqual(parseLikeSaveBooked(printed), data);
  });

  it('by default the Function gets JSON text, never [object Object]', (t) => {
    const printed = appointmentParameter(t, {});
    if (printed === undefined) return;
    assert.deepEqual(JSON.parse(printed), data);
  });
});
