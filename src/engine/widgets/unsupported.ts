// Widgets whose behaviour this engine does not carry out (the legacy chat widgets, whose properties and
// events are unknown; run-model-inference; unknown types) end the execution with a clear error instead of
// guessing (code 81003 is Switchboard's own "widget not supported"). Voice widgets have their own modules;
// outside a call they fail with 81003 too.
import type { WidgetHandler } from './widget.ts';

export function unsupported(type: string): WidgetHandler {
  return {
    enter: () => ({ type: 'error', code: 81003, message: `Widget type '${type}' is not supported by this Switchboard engine yet` }),
  };
}
