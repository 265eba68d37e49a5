// The Trigger only starts a flow (the interpreter leaves it by the incoming event without entering it).
// Studio's canvas cannot connect anything into it and the validator refuses such a transition, but a
// draft may be saved invalid: a branch that reaches the Trigger ends with an error saying so.
import type { WidgetHandler } from './widget.ts';

/** Switchboard's code for a definition the engine cannot follow (also: a `next` naming no widget). */
const INVALID_DEFINITION = 81024;

export const triggerEntered: WidgetHandler = {
  enter: (env) => ({
    type: 'error',
    code: INVALID_DEFINITION,
    message: `A transition leads into the Trigger widget '${env.state.name}'; the Trigger only starts the flow, so nothing may transition into it (the flow definition is invalid)`,
  }),
};
