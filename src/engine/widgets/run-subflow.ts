// Run Subflow: loads the subflow (an effect), then runs it inside this execution as a new frame;
// the engine returns here with `completed` and the subflow's variables as outputs. One nesting
// level only: a subflow that itself runs subflows fails with 81024.
import { parseJsonValue } from '../liquid.ts';
import type { Json, JsonObject } from '../types.ts';
import { jsonFloatPaths, type JsonPath } from '../json-floats.ts';
import { awaitEffect, effectResult, keyValueList, parsesAsJson, renderList, stringProp, type WidgetHandler } from './widget.ts';

export const runSubflow: WidgetHandler = {
  enter(env) {
    const flowSid = stringProp(env, 'flow_sid') ?? '';
    const revision = stringProp(env, 'flow_revision') ?? 'LatestPublished';
    if (env.frame.parentWidget !== undefined) {
      return { type: 'error', code: 81024, message: 'A subflow cannot run another subflow', failureEvent: 'failed' };
    }
    return awaitEffect({ type: 'load-subflow', effectId: env.newId('EF'), widget: env.state.name, flowSid, revision });
  },
  resume(env, wait, event) {
    const result = effectResult(wait, event);
    if (!result) return null;
    if (result.kind === 'subflow-missing') return { type: 'error', code: 81024, message: result.message, failureEvent: 'failed' };
    if (result.kind !== 'subflow-loaded') return null;
    if (result.definition.states.some((s) => s.type === 'run-subflow')) {
      return { type: 'error', code: 81024, message: `Subflow ${result.flowSid} runs a subflow itself; only one level is allowed`, failureEvent: 'failed' };
    }
    const parameters = renderList(env, keyValueList(env.state.properties.parameters));
    if (!parameters.ok) return { type: 'error', code: 84003, message: parameters.message, failureEvent: 'failed' };
    // Parameters are strings unless typed `json_object`; text that is not JSON stays a string.
    const jsonKeys = new Set<string>();
    const raw = env.state.properties.parameters;
    if (Array.isArray(raw)) for (const item of raw) if (parsesAsJson(item)) jsonKeys.add(String((item as { key?: unknown }).key));
    const params: JsonObject = {};
    // Whole floats in the JSON ones (`{"price": 10.0}`) print as Ruby's JSON reads them, from trigger.parent.parameters down.
    const floats = new Map<string, JsonPath[]>();
    for (const { key, value } of parameters.value) {
      const parsed = jsonKeys.has(key) ? parseJsonValue(value) : null;
      // defineProperty: a parameter named `__proto__` is a key like any other.
      Object.defineProperty(params, key, { value: parsed?.ok ? (parsed.value as Json) : value, enumerable: true, writable: true, configurable: true });
      floats.delete(key);
      if (parsed?.ok) {
        const marks = jsonFloatPaths(value, parsed.value as Json).map((path) => ['parent', 'parameters', key, ...path]);
        if (marks.length > 0) floats.set(key, marks);
      }
    }
    const floatTrigger = [...floats.values()].flat();
    return {
      type: 'subflow',
      parentStepEvent: 'incomingParent',
      frame: {
        flowSid: result.flowSid,
        revision: result.revision,
        definition: result.definition,
        parentWidget: env.state.name,
        current: null,
        wait: null,
        // The parent's trigger data is copied, so {{trigger.call.CallSid}} works in the subflow. `parent` holds the
        // parameters and, as a secondary source lists them (reference §4.1, UNCONFIRMED), the parent's flow SID, the
        // execution's SID and the SID of the step that entered this widget (its subflow steps' parent step).
        trigger: {
          ...env.frame.trigger,
          parent: { parameters: params, flow_sid: env.frame.flowSid, ...(env.executionSid ? { execution_sid: env.executionSid } : {}), ...(env.stepSid ? { step_sid: env.stepSid } : {}) },
        },
        ...(floatTrigger.length > 0 ? { floatTrigger } : {}),
        variables: {},
        data: {},
        widgets: {},
      },
    };
  },
};
