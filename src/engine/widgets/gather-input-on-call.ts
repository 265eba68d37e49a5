// Gather Input On Call: a <Gather> with the prompt inside it. Keys always; speech only when the
// `speech` transition is wired, as in Studio (speech recognition is billed, and a caller who talks
// in a keypad menu is not heard). "Stop gathering on keypress" off means no finish key: every key is
// gathered until the timeout or the number of digits. The action callback decides the event: Digits →
// `keypress`, SpeechResult → `speech`, neither → `timeout`. Outputs are the callback's parameters
// (Digits, SpeechResult, Confidence and the call parameters).
import type { Diagnostic, TwimlNode } from '../types.ts';
import { boolProp, callbackFor, callbackOutputs, callWait, intProp, promptNode, propertyWarning, redirectBack, renderedBoolProp, renderProps, requireCall, withWarnings } from './voice.ts';
import { stringProp, type WidgetEnv, type WidgetHandler } from './widget.ts';

/**
 * `speech_timeout`: "auto" or whole seconds, as a string (§2.5), so Liquid is rendered. Anything else
 * (or a Liquid error) is "auto", the Console default, with an 81028 warning.
 */
function speechTimeoutOf(env: WidgetEnv): { value: string; warning?: Diagnostic } {
  const template = stringProp(env, 'speech_timeout');
  if (template === undefined || template.trim() === '') return { value: 'auto' };
  const rendered = env.render(template);
  const text = rendered.ok ? rendered.value.trim() : '';
  if (/^\d+$/.test(text)) return { value: String(Number(text)) };
  if (text.toLowerCase() === 'auto') return { value: 'auto' };
  const why = rendered.ok ? `'${template}'${template.trim() !== text ? ` (rendered '${text}')` : ''} is not "auto" or whole seconds` : `could not be rendered (${rendered.error.message})`;
  return { value: 'auto', warning: propertyWarning(env, `Gather speech_timeout ${why}; "auto" is used`) };
}

export const gatherInputOnCall: WidgetHandler = {
  enter(env) {
    const refused = requireCall(env);
    if (refused) return refused;
    const prompt = promptNode(env);
    if (!prompt.ok) return prompt.outcome;
    // Studio turns recognition on by the wiring of "User said something", not by a property.
    const speech = env.state.transitions.some((t) => t.event === 'speech' && t.next);
    const attributes: Record<string, string | number | boolean> = {
      input: speech ? 'dtmf speech' : 'dtmf',
      method: 'POST',
      timeout: intProp(env, 'timeout', 5)!,
      // Without it an empty gather falls through; with it the action hears "no input" as well.
      actionOnEmptyResult: true,
    };
    // "Stop gathering on keypress" off: no key submits early (§2.5); on, finish_on_key does ("#" by default).
    attributes.finishOnKey = boolProp(env, 'stop_gather', true) ? (stringProp(env, 'finish_on_key') ?? '#') : '';
    const digits = intProp(env, 'number_of_digits');
    if (digits !== undefined && digits > 0) attributes.numDigits = digits;
    const read: { warning?: Diagnostic }[] = [prompt];
    if (speech) {
      // The recognizer's settings, only when there is a recognizer to set.
      const props = renderProps(env, ['gather_language', 'hints', 'speech_model']);
      if (!props.ok) return props.outcome;
      const speechTimeout = speechTimeoutOf(env);
      attributes.speechTimeout = speechTimeout.value;
      if (props.values.gather_language) attributes.language = props.values.gather_language;
      if (props.values.hints) attributes.hints = props.values.hints;
      // A string (§1.3), so Liquid is rendered; an unusable value filters (the default), with 81028.
      const profanityFilter = renderedBoolProp(env, 'profanity_filter', 'Gather profanity_filter', true);
      attributes.profanityFilter = profanityFilter.value;
      if (props.values.speech_model) attributes.speechModel = props.values.speech_model;
      read.push(speechTimeout, profanityFilter);
    }
    const gather: TwimlNode = { verb: 'Gather', attributes, callback: { attribute: 'action' } };
    if (prompt.node) gather.children = [prompt.node];
    const twiml: TwimlNode[] = [gather, redirectBack(true)];
    return withWarnings(callWait(env, twiml), ...read);
  },
  resume(_env, wait, event) {
    const callback = callbackFor(wait, event);
    if (!callback) return null;
    const params = callback.params;
    const digits = typeof params.Digits === 'string' ? params.Digits : '';
    const speech = typeof params.SpeechResult === 'string' ? params.SpeechResult : '';
    const name = callback.fallthrough ? 'timeout' : digits !== '' ? 'keypress' : speech !== '' ? 'speech' : 'timeout';
    return { type: 'transition', event: name, outputs: callbackOutputs(params) };
  },
};
