// The JSON depth limit (src/lib/json-depth.ts): depth measured without recursion, on values and on
// text, and the engine's parse points that use it — Set Variables / subflow "parse as JSON",
// ChannelAttributes on message triggers, HTTP responses, Flex task attributes — each refusing (or
// keeping as text) JSON nested deeper than the limit instead of handing it on to recursive code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isTooDeep, jsonDepth, jsonTextDepth, MAX_JSON_DEPTH, parseJsonWithinDepth, TOO_DEEP } from '../../src/lib/json-depth.ts';
import { parseJsonValue } from '../../src/engine/liquid.ts';
import { normalizeTriggerData } from '../../src/engine/trigger-data.ts';
import { parseJsonObject } from '../../src/engine/widgets/http-outputs.ts';
import { taskOutputs } from '../../src/engine/widgets/send-to-flex.ts';
import { interactionParams } from '../../src/channels/twilio/taskrouter-client.ts';
import { parseDefinition } from '../../src/definition/parse.ts';
import { validateDefinition } from '../../src/definition/validate.ts';

const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** A JSON object (as text) nested exactly `depth` levels. */
const objectOfDepth = (depth: number) => `{"a":${arrays(depth - 1)}}`;

describe('jsonDepth / jsonTextDepth', () => {
  it('count containers: 0 for a scalar, 1 for {} or [1], one more per level', () => {
    const cases: [string, number][] = [
      ['1', 0], ['"x"', 0], ['null', 0], ['{}', 1], ['[]', 1], ['[1,2]', 1], ['{"a":[]}', 2], ['[{"a":{"b":[1]}},2]', 4], ['[[],[[]],[]]', 3],
      // brackets inside strings (escaped quotes and backslashes too) are text, not structure
      ['{"a":"[[[{{{"}', 1], ['["\\"[[", "\\\\", [1]]', 2], ['{"\\\\":"]]]}}}","b":{}}', 2],
    ];
    for (const [text, depth] of cases) {
      assert.equal(jsonDepth(JSON.parse(text)), depth, text);
      assert.equal(jsonTextDepth(text), depth, text);
    }
  });

  it('measure a million levels without recursion, and stop early once past a bound', () => {
    const text = arrays(1_000_000);
    assert.equal(jsonTextDepth(text), 1_000_000);
    const value = JSON.parse(text) as unknown;
    assert.equal(jsonDepth(value), 1_000_000);
    assert.equal(jsonDepth(value, 100), 101);
    assert.equal(jsonTextDepth(text, 100), 101);
    assert.equal(isTooDeep(value), true);
  });

  it('the limit: exactly MAX_JSON_DEPTH passes, one more does not', () => {
    assert.equal(MAX_JSON_DEPTH, 100);
    assert.equal(isTooDeep(JSON.parse(objects(MAX_JSON_DEPTH))), false);
    assert.equal(isTooDeep(JSON.parse(objects(MAX_JSON_DEPTH + 1))), true);
    assert.deepEqual(parseJsonWithinDepth(objects(MAX_JSON_DEPTH)), { ok: true, value: JSON.parse(objects(MAX_JSON_DEPTH)) });
    assert.deepEqual(parseJsonWithinDepth(objects(MAX_JSON_DEPTH + 1)), { ok: false, tooDeep: true, error: TOO_DEEP });
    assert.equal(TOO_DEEP, 'nested more than 100 levels deep (the limit is 100)');
    const broken = parseJsonWithinDepth('{"a":');
    assert.equal(broken.ok === false && broken.tooDeep, false);
  });
});

describe('definitions nested too deep', () => {
  const definition = (deep: string) => `{"description":"d","initial_state":"T","states":[{"name":"T","type":"trigger","transitions":[],"properties":{"offset":{"x":0,"y":0},"deep":${deep}}}]}`;

  it('parseDefinition refuses the text before parsing it, validateDefinition an object, both naming the limit', () => {
    for (const depth of [MAX_JSON_DEPTH - 3, 5_000, 1_000_000]) {
      const text = definition(arrays(depth));
      const parsed = parseDefinition(text);
      assert.deepEqual(parsed, { ok: false, error: 'Flow definition is nested more than 100 levels deep (the limit is 100)' }, `${depth}`);
      const checked = validateDefinition(JSON.parse(text));
      assert.equal(checked.valid, false);
      assert.deepEqual(checked.errors, [{ property_path: '#', message: 'Flow definition is nested more than 100 levels deep (the limit is 100)' }]);
    }
    // 96 levels inside the properties make 100 in all: accepted.
    assert.equal(parseDefinition(definition(arrays(MAX_JSON_DEPTH - 4))).ok, true);
    assert.ok(!validateDefinition(JSON.parse(definition(arrays(MAX_JSON_DEPTH - 4)))).errors.some((e) => /nested/.test(e.message)));
  });
});

describe('engine parse points keep JSON nested too deep as text', () => {
  it('"parse as JSON" (Set Variables, subflow parameters) reports it as invalid JSON', () => {
    assert.deepEqual(parseJsonValue(objectOfDepth(MAX_JSON_DEPTH)), { ok: true, value: JSON.parse(objectOfDepth(MAX_JSON_DEPTH)) });
    for (const depth of [MAX_JSON_DEPTH + 1, 5_000, 100_000]) {
      assert.deepEqual(parseJsonValue(objectOfDepth(depth)), { ok: false, message: `invalid JSON: ${TOO_DEEP}` }, `${depth}`);
    }
  });

  it('ChannelAttributes on a message trigger stay the posted text', () => {
    const at = normalizeTriggerData({ message: { ChannelAttributes: objectOfDepth(MAX_JSON_DEPTH) } });
    assert.deepEqual((at.message as Record<string, unknown>).ChannelAttributes, JSON.parse(objectOfDepth(MAX_JSON_DEPTH)));
    for (const depth of [MAX_JSON_DEPTH + 1, 5_000]) {
      const out = normalizeTriggerData({ message: { ChannelAttributes: objectOfDepth(depth) } });
      assert.equal((out.message as Record<string, unknown>).ChannelAttributes, objectOfDepth(depth));
    }
  });

  it('an HTTP response is not `parsed`', () => {
    assert.deepEqual(parseJsonObject('application/json', objectOfDepth(MAX_JSON_DEPTH)), JSON.parse(objectOfDepth(MAX_JSON_DEPTH)));
    assert.equal(parseJsonObject('application/json', objectOfDepth(MAX_JSON_DEPTH + 1)), undefined);
    assert.equal(parseJsonObject('application/json', objectOfDepth(50_000)), undefined);
  });

  it("a Flex task's attributes: the output keeps the text, an Interaction is sent {} instead of throwing", () => {
    assert.deepEqual(taskOutputs({ sid: 'WT1', attributes: objectOfDepth(MAX_JSON_DEPTH) }).Attributes, JSON.parse(objectOfDepth(MAX_JSON_DEPTH)));
    assert.equal(taskOutputs({ sid: 'WT1', attributes: objectOfDepth(MAX_JSON_DEPTH + 1) }).Attributes, objectOfDepth(MAX_JSON_DEPTH + 1));
    const request = (attributes: string) => ({
      conversationSid: 'CH1',
      channelType: 'sms',
      workspaceSid: 'WS1',
      task: { workflowSid: 'WW1', taskChannel: 'chat', attributes, priority: 0, timeout: 86400 },
    });
    const routing = (attributes: string) => JSON.parse(interactionParams(request(attributes)).find(([k]) => k === 'Routing')![1]).properties.attributes;
    assert.deepEqual(routing(objectOfDepth(MAX_JSON_DEPTH)), JSON.parse(objectOfDepth(MAX_JSON_DEPTH)));
    assert.deepEqual(routing(objectOfDepth(MAX_JSON_DEPTH + 1)), {});
    assert.deepEqual(routing(objectOfDepth(5_000)), {});
  });
});
