// Run Function: calls the Function URL with its parameters. 2xx/3xx within 10 s is `success`,
// else `fail` (not `failed`) with an 81010 alert, as Studio raises one. On re-runs `parsed` merges
// into the earlier parsed object, and a non-JSON response leaves it untouched.
import type { Diagnostic, Json, JsonObject } from '../types.ts';
import { awaitEffect, effectResult, type Outcome, type WidgetEnv, type WidgetHandler } from './widget.ts';
import { renderCall, responseOutputs } from './http-outputs.ts';

/** Studio's alert for a failed Function call (§6.7: 4xx/5xx, timeout); the widget still leaves by `fail`. */
const FUNCTION_FAILED = 81010;

function failed(env: WidgetEnv, outputs: JsonObject, why: string): Outcome {
  const diagnostic: Diagnostic = { level: 'error', code: FUNCTION_FAILED, message: `Run Function '${env.state.name}': ${why}`, widget: env.state.name };
  return { type: 'transition', event: 'fail', outputs, diagnostics: [diagnostic], error: { code: FUNCTION_FAILED, message: diagnostic.message } };
}

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
      if (ok) return { type: 'transition', event: 'success', outputs: keep(outputs) };
      return failed(env, keep(outputs), `the Function answered with status ${result.statusCode}`);
    }
    if (result.kind === 'http-failed') return failed(env, keep({}), `the Function call failed (${result.reason}: ${result.message})`);
    return null;
  },
};
