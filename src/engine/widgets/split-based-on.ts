// Split Based On…: the first `match` transition whose conditions all hold wins, else `noMatch`.
// Conditions evaluate arguments[0] (what the Console copies from `input`), falling back to input.
import { evaluateCondition } from '../operators.ts';
import type { WidgetHandler } from './widget.ts';

export const splitBasedOn: WidgetHandler = {
  enter(env) {
    const input = env.state.properties.input;
    for (const transition of env.state.transitions) {
      if (transition.event !== 'match' || !transition.conditions?.length) continue;
      let allHold = true;
      for (const condition of transition.conditions) {
        const subject = env.render(condition.arguments?.[0] ?? input ?? '');
        if (!subject.ok) return { type: 'error', code: subject.error.code, message: subject.error.message };
        const value = env.render(condition.value ?? '');
        if (!value.ok) return { type: 'error', code: value.error.code, message: value.error.message };
        if (!evaluateCondition(condition.type, subject.value, value.value, { now: new Date(env.now), timezone: env.limits.timezone, regexBudget: env.regexBudget })) {
          allHold = false;
          break;
        }
      }
      if (allHold) return { type: 'transition', event: 'match', transition, outputs: {} };
    }
    return { type: 'transition', event: 'noMatch', outputs: {} };
  },
};
