// Run Function: calls the Function URL with its parameters. 2xx/3xx within 10 s is `success`,
// else `fail` (not `failed`). On re-runs `parsed` merges into the earlier parsed object, and a
// non-JSON response leaves it untouched.
import type { Json, JsonObject } from '../types.ts';
import { awaitEffect, effectResult, type WidgetHandler } from './widget.ts';
import { renderCall, responseOutputs } from './http-outputs.ts';

export const runFunction: WidgetHandler = {
  enter(env) {
    const call = renderCall(env, 81010, 'fail');
    if (!call.ok) return call.outcome;
    return awaitEffect({
      type: 'http-request',
      effectId: env.newId('EF'),
      widget: env.state.name,
      purpose: 'function',
      request: { method: 'POST', url: call.url, contentType: 'application/x-www-form-urlencoded', parameters: call.parameters },
    });
  },
  resume(env, wait, event) {
    const result = effectResult(wait, event);
    if (!result) return null;
    const previousParsed = env.previousOutputs()?.parsed;
    const keep = (outputs: JsonObject): JsonObject => {
      if (previousParsed && typeof previousParsed === 'object' && !Array.isArray(previousParsed)) {
        outputs.parsed = outputs.parsed && typeof outputs.parsed === 'object' ? { ...previousParsed, ...(outputs.parsed as JsonObject) } : (previousParsed as Json);
      }
      return outputs;
    };
    if (result.kind === 'http-response') {
      const ok = result.statusCode >= 200 && result.statusCode < 400;
      const outputs = responseOutputs(result);
      const concurrency = result.headers?.['x-twilio-function-concurrency'];
      if (concurrency !== undefined) outputs.headers = { 'x-twilio-function-concurrency': concurrency };
      return { type: 'transition', event: ok ? 'success' : 'fail', outputs: keep(outputs) };
    }
    if (result.kind === 'http-failed') return { type: 'transition', event: 'fail', outputs: keep({}) };
    return null;
  },
};
