// Send to Autopilot: Twilio retired Autopilot (2023-09-30), so no assistant can take the session.
// The widget still validates as exported (src/definition/widget-specs.ts) and, when it runs, takes
// its failure path as a Studio flow would once the assistant cannot be reached: the `failure`
// event with `error` {code, message} when that transition is wired, otherwise the execution ends
// with that error. `sessionEnded` and `timeout` are never taken. The code is Switchboard's 81003
// ("cannot be carried out"), the same one unsupported widgets end with.
import type { WidgetHandler } from './widget.ts';
import { stringProp } from './widget.ts';

export const AUTOPILOT_RETIRED_CODE = 81003;

export const sendToAutoPilot: WidgetHandler = {
  enter(env) {
    const assistant = stringProp(env, 'autopilot_assistant_sid') ?? '';
    const message = `send-to-auto-pilot: Autopilot was retired by Twilio on 2023-09-30; assistant ${assistant || '(none)'} cannot be reached`;
    return { type: 'error', code: AUTOPILOT_RETIRED_CODE, message, failureEvent: 'failure' };
  },
};
