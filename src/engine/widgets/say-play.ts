// Say/Play: the caller hears a message (Say with voice/language/loop), an audio URL (Play) or DTMF
// tones (Play digits); the call comes back through a <Redirect> and the widget leaves by
// `audioComplete`. A `loop` outside 1–99 plays once, with 81028 (see promptNode). Outputs: the callback's call parameters plus `voice`/`language` when set.
import { callbackFor, callbackOutputs, callWait, promptNode, redirectBack, requireCall, withWarnings } from './voice.ts';
import type { WidgetHandler } from './widget.ts';

export const sayPlay: WidgetHandler = {
  enter(env) {
    const refused = requireCall(env);
    if (refused) return refused;
    const prompt = promptNode(env);
    if (!prompt.ok) return prompt.outcome;
    const outputs = { ...(prompt.voice ? { voice: prompt.voice } : {}), ...(prompt.language ? { language: prompt.language } : {}) };
    return withWarnings(callWait(env, [...(prompt.node ? [prompt.node] : []), redirectBack()], { outputs }), prompt);
  },
  resume(_env, wait, event) {
    const callback = callbackFor(wait, event);
    if (!callback || wait.kind !== 'call') return null;
    return { type: 'transition', event: 'audioComplete', outputs: callbackOutputs(callback.params, wait.outputs) };
  },
};
