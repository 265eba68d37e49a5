// Widgets whose behaviour this engine does not carry out yet end the execution with a clear
// error instead of guessing (code 81003 is Switchboard's own "widget not supported").
import type { WidgetHandler } from './widget.ts';

export function unsupported(type: string): WidgetHandler {
  return {
    enter: () => ({ type: 'error', code: 81003, message: `Widget type '${type}' is not supported by this Switchboard engine yet` }),
  };
}
