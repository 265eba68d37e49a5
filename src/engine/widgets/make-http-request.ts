// Make HTTP Request: the runtime performs it (10 s, 64 KB cap, redirects followed); 2xx is
// `success`, anything else — status, timeout, oversize, network — is `failed` (81014 when that fails a
// subflow: Studio's code for this widget's errors; a request that got no answer also raises it as a warning).
import { awaitEffect, effectResult, stringProp, type WidgetHandler } from './widget.ts';
import { renderCall, responseOutputs } from './http-outputs.ts';

/**
 * Parameter names Studio reserves for the request itself: one named so is error 81014 (the error's
 * own example is `method`; no fuller list is published, so only that one is refused).
 */
const RESERVED_PARAMETERS = new Set(['method']);

/** Studio sends GET or POST only (§2.18); the validator refuses others, but drafts may be saved invalid. */
const METHODS = new Set(['GET', 'POST']);

export const makeHttpRequest: WidgetHandler = {
  enter(env) {
    // Unset or empty is the Console default; anything else fails rather than being sent as another request.
    const method = (stringProp(env, 'method') ?? '').trim().toUpperCase() || 'GET';
    if (!METHODS.has(method)) {
      return { type: 'error', code: 81014, message: `HTTP method '${stringProp(env, 'method')}' is not supported: Make HTTP Request sends GET or POST`, failureEvent: 'failed' };
    }
    const call = renderCall(env, 81014, 'failed');
    if (!call.ok) return call.outcome;
    const reserved = call.parameters.find((parameter) => RESERVED_PARAMETERS.has(parameter.key.trim().toLowerCase()));
    if (reserved) return { type: 'error', code: 81014, message: `HTTP parameter '${reserved.key}' uses a reserved name`, failureEvent: 'failed' };
    const body = env.render(stringProp(env, 'body') ?? '');
    if (!body.ok) return { type: 'error', code: 81014, message: body.error.message, failureEvent: 'failed' };
    return awaitEffect({
      type: 'http-request',
      effectId: env.newId('EF'),
      widget: env.state.name,
      purpose: 'http',
      request: {
        method,
        url: call.url,
        contentType: stringProp(env, 'content_type') ?? 'application/x-www-form-urlencoded;charset=utf-8',
        ...(body.value !== '' ? { body: body.value } : {}),
        parameters: call.parameters,
        addTwilioAuth: env.state.properties.add_twilio_auth === true,
      },
    });
  },
  resume(env, wait, event) {
    const result = effectResult(wait, event);
    if (!result) return null;
    if (result.kind === 'http-response') {
      if (result.statusCode >= 200 && result.statusCode < 300) return { type: 'transition', event: 'success', outputs: responseOutputs(result) };
      return { type: 'transition', event: 'failed', outputs: responseOutputs(result), error: { code: 81014, message: `Make HTTP Request '${env.state.name}': the server answered with status ${result.statusCode}` } };
    }
    if (result.kind === 'http-failed') {
      // No answer at all leaves an empty context (as Studio's), so the reason goes to a warning alert, or
      // nobody could tell a timeout from a refused connection afterwards. A status answer shows its own.
      const message = `Make HTTP Request '${env.state.name}': the request failed (${result.reason}: ${result.message})`;
      return { type: 'transition', event: 'failed', outputs: {}, diagnostics: [{ level: 'warning', code: 81014, message, widget: env.state.name }], error: { code: 81014, message } };
    }
    return null;
  },
};
