// FlowValidate-compatible checks. Errors make a definition invalid; warnings flag things Studio tolerates
// or real exports contain (§7.2, /work/shared/flows/INDEX.md "Known oddities"). Messages follow the
// JSON-Schema-validator wording FlowValidate uses and always name the widget; property_path is a JSON
// pointer with a 0-based state index ("#/states/3/properties/timeout").
//
// Oddity decisions (each real export must validate):
// - Liquid in split condition values / filters in split `input`: fine (Studio renders both), no issue.
// - a Liquid template that does not parse (`{% if x %}` never closed): warning (whether Studio's validator
//   checks Liquid is unknown; the flow saves, and the widget fails with 84003 when it renders).
// - a Liquid filter or tag that Studio's Liquid (Shopify's, at --liquid-version) lacks and liquidjs has (`push`,
//   `where_exp`, `slugify`, `{% block %}`): warning naming it (Twilio returns the filter's input unchanged, fails
//   to parse the tag; liquid-dialect.ts).
// - a literal `regex` value that is invalid, refused as unsafe or uses Java syntax we cannot translate:
//   warning (it never matches); Java syntax translated but likely a mistake (`[[:alpha:]]`): warning;
//   so costly that inputs of a long SMS's length would be refused for the work: warning (Studio's Java
//   engine takes any valid pattern).
// - split `arguments` differing from `input`: warning (which one Studio evaluates is UNCONFIRMED; the engine
//   tests arguments[0]).
// - `{event, name}` transitions: warning; the transition counts as unconnected (ends the branch).
// - send-and-wait `timeout` as integer: fine (the Console writes both; the engine converts).
// - send-and-wait literal `timeout` that is not 1..315360000 whole seconds ("0", "-5", "1h"): warning; the
//   engine waits the default 3600 s instead (as it does when a Liquid timeout renders to such a value).
// - Terraform `${...}` placeholders: warning wherever they appear, also where a SID/typed value belongs; one
//   per distinct placeholder per flow, at its first use (first-use-tally.ts).
// - `widgets.<name>` in Liquid naming no widget of the flow: warning (renders empty; widget-references.ts).
// - a literal URL property that is not an absolute URL: warning (fails every run; literal-urls.ts).
// - a property key the widget does not have: warning (ignored; unknown-properties.ts).
// - say-play/gather literal `loop` outside 1..99 (0 is Twilio's "forever"): warning (PropSpec.rangeWarning);
//   the engine plays the prompt once instead, with an 81028 alert.
// - gather literal `timeout` 0 or less, record-voicemail `finish_on_key` "": warning (checkVerbValues);
//   sent as written / left out, as before.
// - trigger events of all three generations: all accepted.
// - dangling `next`: see ValidateOptions.strictTransitions.
//
// The graph checks (transitions into the trigger, reachability, subflow references) are in graph-checks.ts.

import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { closestName, hintBudget } from '../lib/closest-name.ts';
import { FirstUseTally, placeholdersIn } from './first-use-tally.ts';
import { didYouMean, escapePointer, widgetLabel as who } from './issue-labels.ts';
import { liquidSyntaxError } from './liquid-syntax.ts';
import { DEFAULT_LIQUID_VERSION, studioLiquidGaps } from './liquid-dialect.ts';
import { literalUrlProblem } from './literal-urls.ts';
import { unknownPropertyProblem } from './unknown-properties.ts';
import { checkWidgetReferences } from './widget-references.ts';
import { FLOW_SID, REVISION, checkIntoTrigger, checkReachability, checkSubflowReferences } from './graph-checks.ts';
import { isLegacyDefinition, migrateDefinition } from './migrate.ts';
import { analyzeRegex, longestAffordableInput } from '../lib/bounded-regex.ts';
import { REPLY_TIMEOUT_RULE, replyTimeoutSeconds, STUDIO_REPLY_TIMEOUT_SECONDS } from './reply-timeout.ts';
import { isTooDeep } from '../lib/json-depth.ts';
import { DEFINITION_TOO_DEEP, isPlainObject, jsonTypeOf, parseDefinition } from './parse.ts';
import {
  SPLIT_OPERATORS,
  TYPE_ALIASES,
  WIDGET_SPECS,
  canonicalEvent,
  isWidgetType,
  type PropSpec,
  type WidgetSpec,
} from './widget-specs.ts';
import { WIDGET_TYPES, type FlowDefinition, type ValidationIssue, type ValidationResult, type WidgetType } from './types.ts';

export interface ValidateOptions {
  /**
   * A non-empty `next` naming no state. Studio's FlowValidate requires every `next` to name a state, so by
   * default (API create/update/validate) this is an error. Real exports do contain such targets (a widget
   * deleted from a hand-edited or templated file); importers pass `false` to downgrade it to a warning — at
   * run time such a transition simply ends the execution.
   */
  strictTransitions?: boolean;
  /**
   * The release of Shopify's Liquid taken as Studio's (--liquid-version; default DEFAULT_LIQUID_VERSION): a template
   * using a filter or tag that release lacks is warned about (liquid-dialect.ts).
   */
  liquidVersion?: string;
}

// ajv ships CommonJS; under nodenext the default import is module.exports, whose `.default` is the class.
const Ajv = AjvModule.default;
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const compiled = new Map<WidgetType, ValidateFunction>();
function schemaValidator(type: WidgetType): ValidateFunction {
  let fn = compiled.get(type);
  if (!fn) {
    fn = ajv.compile(WIDGET_SPECS[type].schema);
    compiled.set(type, fn);
  }
  return fn;
}

const LIQUID = /\{\{|\{%/;
/** A regex should handle inputs this long: the longest message body Twilio takes. */
const REGEX_EXPECTED_INPUT = 1600;
// `${name}` left by Terraform-style templating; `${{…}}` is a dollar sign before Liquid ("$12"), not one.
const PLACEHOLDER = /\$\{(?!\{)[^}]*\}/;
const WHOLE_PLACEHOLDER = /^\s*\$\{(?!\{)[^}]*\}\s*$/;
const SCHEMA_ID = 'https://schemas.twilio.com/studio/draft/2019-09/flow-definition';
const ENVELOPE_KEYS = new Set(['description', '$schema', 'initial_state', 'states', 'flags']);
const STATE_KEYS = new Set(['name', 'type', 'transitions', 'properties']);
const TRANSITION_KEYS = new Set(['event', 'next', 'conditions']);

/** Collects issues in the order found. */
class Report {
  readonly liquidVersion: string;
  constructor(liquidVersion: string = DEFAULT_LIQUID_VERSION) {
    this.liquidVersion = liquidVersion;
  }
  errors: ValidationIssue[] = [];
  warnings: ValidationIssue[] = [];
  /** Issues a templated export repeats: reported once per flow, at the first use (see warnOnce). */
  readonly repeated = new FirstUseTally();
  /** A warning for the first use of `key` in the flow; later uses are only counted. */
  warnOnce(key: string, path: string, message: string): void {
    const issue = this.repeated.note(key, () => ({ property_path: path, message }));
    if (issue) this.warnings.push(issue);
  }
  error(path: string, message: string): void {
    this.errors.push({ property_path: path, message });
  }
  warn(path: string, message: string): void {
    this.warnings.push({ property_path: path, message });
  }
  /** One budget for every "did you mean" of the flow: a hostile one gets fewer hints, not minutes of work. */
  readonly hints = hintBudget();
  readonly #stateHints = new Map<string, string | undefined>();
  /** The known name closest to `name`, within the flow's hint budget. */
  closest(name: string, known: Iterable<string>): string | undefined {
    return closestName(name, known, this.hints);
  }
  /** The state name closest to `name`; the same missing name (in many `next`s and references) is looked up once. */
  closestState(name: string, names: ReadonlyMap<string, number>): string | undefined {
    if (!this.#stateHints.has(name)) this.#stateHints.set(name, this.closest(name, names.keys()));
    return this.#stateHints.get(name);
  }
}

const typeMismatch = (found: string, expected: string | string[]) =>
  `${found} found, ${Array.isArray(expected) ? expected.join(' or ') : expected} expected`;

export function validateDefinition(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const strict = options.strictTransitions ?? true;
  const r = new Report(options.liquidVersion);
  if (!isPlainObject(input)) {
    r.error('#', `Flow definition: ${typeMismatch(jsonTypeOf(input), 'object')}`);
    return result(r);
  }

  // Everything below walks the definition recursively: one nested too deep is refused whole, first.
  if (isTooDeep(input)) {
    r.error('#', DEFINITION_TOO_DEEP);
    return result(r);
  }

  let def = input as Record<string, unknown>;
  if (isLegacyDefinition(def)) {
    const m = migrateDefinition(def);
    def = m.definition as unknown as Record<string, unknown>;
    r.warn('#', `Legacy (pre-2019) definition shape migrated to the current format: ${m.notes.join('; ')}`);
  }

  checkEnvelope(def, r);
  const states = Array.isArray(def.states) ? def.states : [];

  // Names first: transitions and initial_state are checked against them.
  const indexByName = new Map<string, number>();
  states.forEach((s, i) => {
    if (!isPlainObject(s) || typeof s.name !== 'string' || s.name === '') return;
    if (indexByName.has(s.name)) {
      r.error(`#/states/${i}/name`, `${who(s, i)}: name is not unique (also used by state ${indexByName.get(s.name)})`);
    } else indexByName.set(s.name, i);
  });

  states.forEach((s, i) => checkState(s, i, indexByName, strict, r));
  checkIntoTrigger(states, indexByName, r);
  checkSubflowReferences(states, r);
  checkWidgetReferences(states, indexByName, (path, message) => r.warn(path, message), (name) => r.closestState(name, indexByName));

  if (typeof def.initial_state === 'string' && def.initial_state !== '') {
    const idx = indexByName.get(def.initial_state);
    if (idx === undefined) {
      const hint = didYouMean(r.closestState(def.initial_state, indexByName));
      r.error('#/initial_state', `initial_state "${def.initial_state}" does not name a state in the flow${hint}`);
    } else {
      // §8: initial_state points at the trigger; a flow started anywhere else has no incoming event to follow.
      const start = states[idx] as Record<string, unknown>;
      if (start.type !== 'trigger') {
        r.error('#/initial_state', `initial_state "${def.initial_state}" is a ${String(start.type)} widget; it must name the trigger widget`);
      }
      checkReachability(states, idx, indexByName, r);
    }
  }
  return result(r, def as unknown as FlowDefinition);
}

/** Parse + validate; a parse failure becomes one error at "#". */
export function validateDefinitionJson(text: string | Uint8Array, options: ValidateOptions = {}): ValidationResult {
  const parsed = parseDefinition(text);
  if (!parsed.ok) return { valid: false, errors: [{ property_path: '#', message: parsed.error }], warnings: [] };
  return validateDefinition(parsed.definition, options);
}

function result(r: Report, definition?: FlowDefinition): ValidationResult {
  r.repeated.finish();
  const out: ValidationResult = { valid: r.errors.length === 0, errors: r.errors, warnings: r.warnings };
  if (definition) out.definition = definition;
  return out;
}

// ---- envelope ------------------------------------------------------------------------------------

function checkEnvelope(def: Record<string, unknown>, r: Report): void {
  if (!('initial_state' in def)) r.error('#/initial_state', 'initial_state is missing but it is required');
  else if (typeof def.initial_state !== 'string') {
    r.error('#/initial_state', `initial_state: ${typeMismatch(jsonTypeOf(def.initial_state), 'string')}`);
  } else if (def.initial_state === '') {
    r.error('#/initial_state', 'initial_state: must be at least 1 characters long');
  }

  if (!('states' in def)) r.error('#/states', 'states is missing but it is required');
  else if (!Array.isArray(def.states)) r.error('#/states', `states: ${typeMismatch(jsonTypeOf(def.states), 'array')}`);
  else if (def.states.length < 1) r.error('#/states', 'states: there must be a minimum of 1 items in the array');
  else if (def.states.length > 1000) r.error('#/states', 'states: there must be a maximum of 1000 items in the array');

  if ('flags' in def) {
    if (!isPlainObject(def.flags)) r.error('#/flags', `flags: ${typeMismatch(jsonTypeOf(def.flags), 'object')}`);
    else if (!('allow_concurrent_calls' in def.flags)) {
      r.error('#/flags/allow_concurrent_calls', 'flags.allow_concurrent_calls is missing but it is required');
    } else if (typeof def.flags.allow_concurrent_calls !== 'boolean') {
      r.error(
        '#/flags/allow_concurrent_calls',
        `flags.allow_concurrent_calls: ${typeMismatch(jsonTypeOf(def.flags.allow_concurrent_calls), 'boolean')}`,
      );
    }
  }
  if ('description' in def && typeof def.description !== 'string') {
    r.error('#/description', `description: ${typeMismatch(jsonTypeOf(def.description), 'string')}`);
  }
  if ('$schema' in def) {
    if (typeof def.$schema !== 'string') r.error('#/$schema', `$schema: ${typeMismatch(jsonTypeOf(def.$schema), 'string')}`);
    else if (def.$schema !== SCHEMA_ID) r.warn('#/$schema', `$schema: does not have a value in the enumeration [${SCHEMA_ID}]`);
  }
  for (const k of Object.keys(def)) {
    if (!ENVELOPE_KEYS.has(k)) r.warn(`#/${escapePointer(k)}`, `Unknown top-level key "${k}" is ignored`);
  }
}

// ---- states --------------------------------------------------------------------------------------

function checkState(s: unknown, i: number, names: Map<string, number>, strict: boolean, r: Report): void {
  const base = `#/states/${i}`;
  if (!isPlainObject(s)) {
    r.error(base, `State #${i}: ${typeMismatch(jsonTypeOf(s), 'object')}`);
    return;
  }
  const w = who(s, i);
  for (const key of ['name', 'type', 'transitions', 'properties']) {
    if (!(key in s)) r.error(`${base}/${key}`, `${w}: ${key} is missing but it is required`);
  }
  if ('name' in s) {
    if (typeof s.name !== 'string') r.error(`${base}/name`, `${w}: name: ${typeMismatch(jsonTypeOf(s.name), 'string')}`);
    else if (s.name === '') r.error(`${base}/name`, `${w}: name must be at least 1 characters long`);
    // Console naming rule (letter first, no spaces/periods); hyphens occur in real exports, so only a warning.
    else if (!/^[A-Za-z][^\s.]*$/.test(s.name)) {
      r.warn(`${base}/name`, `${w}: name should start with a letter and contain no spaces or periods`);
    }
  }

  let spec: WidgetSpec | undefined;
  if ('type' in s) {
    if (typeof s.type !== 'string') r.error(`${base}/type`, `${w}: type: ${typeMismatch(jsonTypeOf(s.type), 'string')}`);
    else if (!isWidgetType(s.type)) {
      const suggestion = (Object.hasOwn(TYPE_ALIASES, s.type) ? TYPE_ALIASES[s.type] : undefined) ?? r.closest(s.type, WIDGET_TYPES);
      r.error(`${base}/type`, suggestion
        ? `${w}: type "${s.type}" is not a widget type (did you mean "${suggestion}"?)`
        : `${w}: type "${s.type}" does not have a value in the enumeration [${WIDGET_TYPES.join(', ')}]`);
    } else spec = WIDGET_SPECS[s.type];
  }

  for (const k of Object.keys(s)) {
    if (!STATE_KEYS.has(k)) r.warn(`${base}/${escapePointer(k)}`, `${w}: unknown key "${k}" is ignored`);
  }

  if ('transitions' in s) {
    if (!Array.isArray(s.transitions)) {
      r.error(`${base}/transitions`, `${w}: transitions: ${typeMismatch(jsonTypeOf(s.transitions), 'array')}`);
    } else checkTransitions(s, s.transitions, base, w, spec, names, strict, r);
  }

  if ('properties' in s) {
    if (!isPlainObject(s.properties)) {
      r.error(`${base}/properties`, `${w}: properties: ${typeMismatch(jsonTypeOf(s.properties), 'object')}`);
    } else if (spec) checkProperties(s.properties, `${base}/properties`, w, spec, r);
  }
}

function checkTransitions(
  state: Record<string, unknown>,
  transitions: unknown[],
  base: string,
  w: string,
  spec: WidgetSpec | undefined,
  names: Map<string, number>,
  strict: boolean,
  r: Report,
): void {
  const seen = new Map<string, number>();
  transitions.forEach((t, j) => {
    const at = `${base}/transitions/${j}`;
    if (!isPlainObject(t)) {
      r.error(at, `${w}: transitions[${j}]: ${typeMismatch(jsonTypeOf(t), 'object')}`);
      return;
    }
    // event
    if (!('event' in t)) r.error(`${at}/event`, `${w}: transitions[${j}].event is missing but it is required`);
    else if (typeof t.event !== 'string') {
      r.error(`${at}/event`, `${w}: transitions[${j}].event: ${typeMismatch(jsonTypeOf(t.event), 'string')}`);
    } else if (spec && !spec.openEvents && !spec.events.includes(canonicalEvent(spec, t.event))) {
      const suggestion = r.closest(t.event, spec.events);
      r.error(
        `${at}/event`,
        suggestion
          ? `${w}: event "${t.event}" is not an event of ${spec.type} (did you mean "${suggestion}"?)`
          : `${w}: event "${t.event}" is not allowed: ${spec.events.map((e) => `must be a constant value ${e}`).join(', ')}`,
      );
    } else if (t.event === '') {
      r.error(`${at}/event`, `${w}: transitions[${j}].event must be at least 1 characters long`);
    } else {
      // Several `match` transitions are normal; any other repeated event is ambiguous (two spellings of one too).
      const event = spec ? canonicalEvent(spec, t.event) : t.event;
      if (t.event !== 'match' && seen.has(event)) {
        const other = (transitions[seen.get(event)!] as { event: string }).event;
        r.warn(
          `${at}/event`,
          other === t.event
            ? `${w}: event "${t.event}" appears more than once (also transitions[${seen.get(event)}]); the first one is used`
            : `${w}: events "${other}" (transitions[${seen.get(event)}]) and "${t.event}" are two spellings of one event; the widget leaves by the first one wired to a widget`,
        );
      }
      if (!seen.has(event)) seen.set(event, j);
    }

    // next
    if ('next' in t) {
      if (t.next === null) r.warn(`${at}/next`, `${w}: transitions[${j}].next is null; treated as unconnected`);
      else if (typeof t.next !== 'string') {
        r.error(`${at}/next`, `${w}: transitions[${j}].next: ${typeMismatch(jsonTypeOf(t.next), 'string')}`);
      } else if (t.next !== '' && !names.has(t.next)) {
        const msg = `${w}: transitions[${j}].next "${t.next}" does not name a state in the flow${didYouMean(r.closestState(t.next, names))}`;
        if (strict) r.error(`${at}/next`, msg);
        else r.warn(`${at}/next`, `${msg}; the branch ends there`);
      }
    }

    // `{event, name}` instead of `{event, next}` (hand-edited/templated exports).
    if ('name' in t && !('next' in t)) {
      const target = typeof t.name === 'string' && names.has(t.name) ? ' (a state of that name exists)' : '';
      r.warn(
        `${at}/name`,
        `${w}: transitions[${j}] has "name": ${JSON.stringify(t.name)} instead of "next"${target}; treated as unconnected`,
      );
    }
    for (const k of Object.keys(t)) {
      if (!TRANSITION_KEYS.has(k) && k !== 'name') {
        r.warn(`${at}/${escapePointer(k)}`, `${w}: transitions[${j}] has unknown key "${k}", ignored`);
      }
    }

    if ('conditions' in t) checkConditions(state, t, j, at, w, r);
    else if (state.type === 'split-based-on' && t.event === 'match') {
      r.warn(`${at}`, `${w}: match transition has no conditions and can never be taken`);
    }
  });

  if (state.type === 'split-based-on' && !seen.has('noMatch')) {
    r.warn(`${base}/transitions`, `${w}: has no noMatch transition; when no condition matches the branch ends`);
  }
}

function checkConditions(
  state: Record<string, unknown>,
  t: Record<string, unknown>,
  j: number,
  at: string,
  w: string,
  r: Report,
): void {
  const conditions = t.conditions;
  if (!Array.isArray(conditions)) {
    r.error(`${at}/conditions`, `${w}: transitions[${j}].conditions: ${typeMismatch(jsonTypeOf(conditions), 'array')}`);
    return;
  }
  if (state.type !== 'split-based-on' || t.event !== 'match') {
    if (conditions.length > 0) r.warn(`${at}/conditions`, `${w}: conditions on a "${String(t.event)}" transition are ignored`);
    return;
  }
  if (conditions.length === 0) r.warn(`${at}/conditions`, `${w}: match transition has an empty conditions list and can never be taken`);
  const input = isPlainObject(state.properties) ? state.properties.input : undefined;
  conditions.forEach((c, k) => {
    const cp = `${at}/conditions/${k}`;
    const label = `${w}: transitions[${j}].conditions[${k}]`;
    if (!isPlainObject(c)) {
      r.error(cp, `${label}: ${typeMismatch(jsonTypeOf(c), 'object')}`);
      return;
    }
    if (!('type' in c)) r.error(`${cp}/type`, `${label}.type is missing but it is required`);
    else if (typeof c.type !== 'string') r.error(`${cp}/type`, `${label}.type: ${typeMismatch(jsonTypeOf(c.type), 'string')}`);
    else if (!(SPLIT_OPERATORS as readonly string[]).includes(c.type)) {
      const suggestion = r.closest(c.type, SPLIT_OPERATORS);
      r.error(`${cp}/type`, suggestion
        ? `${label}.type "${c.type}" is not a split operator (did you mean "${suggestion}"?)`
        : `${label}.type "${c.type}" does not have a value in the enumeration [${SPLIT_OPERATORS.join(', ')}]`);
    }
    if (!('value' in c)) r.error(`${cp}/value`, `${label}.value is missing but it is required`);
    else if (typeof c.value === 'number' || typeof c.value === 'boolean') {
      r.warn(`${cp}/value`, `${label}.value: ${typeMismatch(jsonTypeOf(c.value), 'string')}; compared as text`);
    } else if (typeof c.value !== 'string') {
      r.error(`${cp}/value`, `${label}.value: ${typeMismatch(jsonTypeOf(c.value), 'string')}`);
    } else if (c.type === 'regex' && !c.value.includes('{{') && !c.value.includes('{%')) {
      // The engine treats a pattern it cannot run safely as "no match"; say so before it runs.
      const vetted = analyzeRegex(c.value.trim());
      if (!vetted.ok) r.warn(`${cp}/value`, `${label}.value: this regex never matches (${vetted.reason})`);
      else {
        for (const note of vetted.notes ?? []) r.warn(`${cp}/value`, `${label}.value: ${note}`);
        const longest = longestAffordableInput(vetted);
        if (longest < 0) r.warn(`${cp}/value`, `${label}.value: this regex never matches (too complex to run on any input)`);
        else if (longest < REGEX_EXPECTED_INPUT) {
          r.warn(`${cp}/value`, `${label}.value: this regex is too complex to run on inputs longer than ${longest} characters; longer inputs never match`);
        }
      }
    }
    // The same deploy-time checks as properties get: an unsubstituted `${...}` is compared literally and never
    // matches; Liquid that does not parse ends the execution with 84003 when the split renders it.
    if (typeof c.value === 'string' && !warnPlaceholder(c.value, `${cp}/value`, `${label}.value`, r)) {
      warnLiquidSyntax(c.value, `${cp}/value`, `${label}.value`, r);
    }
    if (Array.isArray(c.arguments)) {
      c.arguments.forEach((a, i) => {
        if (typeof a !== 'string' || warnPlaceholder(a, `${cp}/arguments/${i}`, `${label}.arguments[${i}]`, r)) return;
        // Only arguments[0] is rendered; one equal to `input` is reported there.
        if (i === 0 && a !== input) warnLiquidSyntax(a, `${cp}/arguments/0`, `${label}.arguments[0]`, r);
      });
    }
    if ('friendly_name' in c && typeof c.friendly_name !== 'string') {
      r.error(`${cp}/friendly_name`, `${label}.friendly_name: ${typeMismatch(jsonTypeOf(c.friendly_name), 'string')}`);
    }
    if (!('arguments' in c)) return;
    if (!Array.isArray(c.arguments) || c.arguments.some((a) => typeof a !== 'string')) {
      r.error(`${cp}/arguments`, `${label}.arguments: must be an array of strings`);
    } else if (typeof input === 'string' && (c.arguments.length !== 1 || c.arguments[0] !== input)) {
      // The Console always copies `input` here; which one Studio evaluates when they differ is UNCONFIRMED.
      // The engine tests arguments[0], and the input only when arguments is empty (split-based-on.ts).
      const tested = c.arguments.length > 0 ? `arguments[0] ${JSON.stringify(c.arguments[0])}` : 'the input, as arguments is empty';
      r.warn(
        `${cp}/arguments`,
        `${label}.arguments ${JSON.stringify(c.arguments)} differ from the split input ${JSON.stringify(input)}; ` +
          `this engine tests ${tested} (which one Studio tests is unconfirmed): make them the same`,
      );
    }
  });
}

// ---- properties ----------------------------------------------------------------------------------

function checkProperties(props: Record<string, unknown>, base: string, w: string, spec: WidgetSpec, r: Report): void {
  // null means "unset" in older exports: an error for required properties, otherwise ignored with a warning.
  const present: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (v !== null) present[k] = v;
    else if (spec.properties[k]?.required) r.error(`${base}/${escapePointer(k)}`, `${w}: ${k}: must not be null`);
    else r.warn(`${base}/${escapePointer(k)}`, `${w}: ${k} is null; treated as unset`);
  }

  const validate = schemaValidator(spec.type);
  if (!validate(present)) {
    for (const e of validate.errors ?? []) schemaIssue(e, base, w, spec, r);
  }

  // Semantic checks first, so the generic pass below does not report the same value twice.
  const before = r.errors.length;
  for (const [k, v] of Object.entries(present)) {
    const path = `${base}/${escapePointer(k)}`;
    const unknown = unknownPropertyProblem(spec, k, r.hints);
    if (unknown) r.warn(path, `${w}: ${unknown}`);
    const url = literalUrlProblem(spec.type, k, v);
    if (url?.marker) r.warnOnce(`url ${spec.type} ${k} ${url.marker}`, path, `${w}: ${k} ${url.text}`);
    else if (url) r.warn(path, `${w}: ${k} ${url.text}`);
  }
  if (spec.type === 'run-subflow') checkSubflow(present, base, w, r);
  if (spec.type === 'send-and-wait-for-reply') checkReplyTimeout(present, base, w, r);
  if (spec.type === 'make-http-request') checkFormBody(present, base, w, r);
  checkVerbValues(spec.type, present, base, w, r);
  checkOptions(present, base, w, spec, r);
  checkRanges(present, base, w, spec, r);
  const flagged = new Set(r.errors.slice(before).map((e) => e.property_path));

  // Second pass over values the schema accepted: preferred types, Liquid where none is rendered, placeholders.
  for (const [k, v] of Object.entries(present)) {
    const path = `${base}/${escapePointer(k)}`;
    if (!flagged.has(path)) walkValue(v, Object.hasOwn(spec.properties, k) ? spec.properties[k] : undefined, path, k, w, r);
  }

  // Present but empty: the schema only asks for the key. Studio's editor refuses to save these; what its API
  // does is unknown, so a warning (the widget renders nothing there, e.g. sends an empty message).
  for (const [k, ps] of Object.entries(spec.properties)) {
    const v = present[k];
    if (typeof v !== 'string' || v.trim() !== '' || ps.type !== 'string') continue;
    const exempt = ps.requiredUnless !== undefined && present[ps.requiredUnless.property] === ps.requiredUnless.equals;
    if (ps.required || (ps.requiredUnless && !exempt)) r.warn(`${base}/${escapePointer(k)}`, `${w}: ${k} is required and is empty`);
  }

  if (spec.type === 'set-variables' && Array.isArray(present.variables)) {
    // Studio's editor asks for a pair before it saves the widget; an empty list sets nothing.
    if (present.variables.length === 0) r.warn(`${base}/variables`, `${w}: variables is empty: the widget sets nothing (Studio's editor asks for at least one)`);
    present.variables.forEach((v, i) => {
      if (isPlainObject(v) && typeof v.key === 'string' && v.key !== '' && !/^[A-Za-z_][\w-]*$/.test(v.key) && !LIQUID.test(v.key)) {
        r.warn(`${base}/variables/${i}/key`, `${w}: variables[${i}].key "${v.key}" is not a plain identifier; Liquid cannot reach it with dot syntax`);
      }
    });
  }
}

/** Turns one ajv error into a FlowValidate-style issue. Typed fields holding a `${...}` are only warned. */
function schemaIssue(e: ErrorObject, base: string, w: string, spec: WidgetSpec, r: Report): void {
  const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      const name = where ? `${where}.${missing}` : missing;
      const why = spec.properties[missing]?.requiredUnless
        ? ` (unless ${spec.properties[missing].requiredUnless!.property} is "${spec.properties[missing].requiredUnless!.equals}")`
        : '';
      r.error(`${base}${e.instancePath}/${escapePointer(missing)}`, `${w}: ${name} is missing but it is required${why}`);
      return;
    }
    case 'type': {
      const expected = (e.params as { type: string | string[] }).type;
      const exp = Array.isArray(expected) ? expected[0] : expected; // first = the documented type
      const found = jsonTypeOf(e.data);
      // A whole-value `${...}` placeholder becomes a typed value at deploy time; walkValue warns about it.
      if (typeof e.data === 'string' && WHOLE_PLACEHOLDER.test(e.data)) return;
      r.error(`${base}${e.instancePath}`, `${w}: ${where}: ${typeMismatch(found, exp)}`);
      return;
    }
    case 'if':
      return; // reported through the `required` error of its `then`
    default:
      r.error(`${base}${e.instancePath}`, `${w}: ${where || 'properties'}: ${e.message ?? 'is invalid'}`);
  }
}

/** Counts Terraform-style `${...}` left in a value, warning at the first use of each; whether one was found. */
function warnPlaceholder(v: string, path: string, label: string, r: Report): boolean {
  const found = placeholdersIn(v);
  for (const p of found) {
    r.warnOnce(`placeholder ${p}`, path, `${label} contains a deploy-time template placeholder ${p}; it must be substituted before the flow can run`);
  }
  return found.length > 0;
}

/**
 * Warns about Liquid that does not parse, or that uses filters or tags Studio's Liquid lacks (liquidjs has them:
 * the flow would pass its tests here and misbehave on Twilio).
 */
function warnLiquidSyntax(v: string, path: string, label: string, r: Report): void {
  if (!LIQUID.test(v)) return;
  const syntax = liquidSyntaxError(v);
  // A *_exp filter's expression is read only by liquidjs' own filter, which runs only with --liquid-extras.
  if (syntax && /^\w+_exp expression /.test(syntax)) r.warn(path, `${label} is not valid Liquid (${syntax}); with --liquid-extras rendering it fails with 84003 (Studio's Liquid has no such filter: it returns its input)`);
  else if (syntax) r.warn(path, `${label} is not valid Liquid (${syntax}); rendering it fails with 84003`);
  else for (const gap of studioLiquidGaps(v, r.liquidVersion)) r.warn(path, `${label}: ${gap}`);
}

/**
 * Properties whose other accepted type is as good as the documented one, so not worth a warning: the
 * Console itself writes Send & Wait `timeout` as an integer and the engine converts it; the Virtual Agent
 * `timeout`'s type is unconfirmed.
 */
const EQUALLY_GOOD = new Set<PropSpec | undefined>([
  WIDGET_SPECS['send-and-wait-for-reply'].properties.timeout,
  WIDGET_SPECS['connect-virtual-agent-v2'].properties.timeout,
]);

function walkValue(v: unknown, ps: PropSpec | undefined, path: string, label: string, w: string, r: Report): void {
  if (typeof v === 'string') {
    if (warnPlaceholder(v, path, `${w}: ${label}`, r)) {
      // reported
    } else if (ps?.type === 'string' && ps.liquid === false && LIQUID.test(v)) {
      r.warn(path, `${w}: ${label} does not accept Liquid; the template is used literally`);
    } else if (ps?.type === 'string') {
      warnLiquidSyntax(v, path, `${w}: ${label}`, r);
    }
  }
  if (!ps || v === null) {
    // Unknown members: still look for placeholders inside.
    if (Array.isArray(v)) v.forEach((x, i) => walkValue(x, undefined, `${path}/${i}`, `${label}[${i}]`, w, r));
    else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) walkValue(x, undefined, `${path}/${escapePointer(k)}`, `${label}.${k}`, w, r);
    return;
  }
  const found = jsonTypeOf(v);
  const typeOk = ps.type === 'any' || found === ps.type || (ps.type === 'number' && found === 'integer');
  if (!typeOk && !EQUALLY_GOOD.has(ps) && ps.alsoAccept?.includes(found as PropSpec['type'])) {
    r.warn(path, `${w}: ${label}: ${typeMismatch(found, ps.type)}; accepted because Studio exports contain both`);
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => walkValue(x, ps.items, `${path}/${i}`, `${label}[${i}]`, w, r));
  } else if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      walkValue(x, ps.properties?.[k], `${path}/${escapePointer(k)}`, `${label}.${k}`, w, r);
    }
  }
}

/**
 * A literal outside a property's `options` (Make HTTP Request `method` "PUT"): Studio refuses it, and the
 * engine would otherwise have to guess. Case is not held against it (the engine upper-cases methods) unless the
 * spec says `exactCase` (Fork Stream's `stream_action` is `start` or `stop`, lowercase: "START" is refused).
 * Liquid is left to walkValue's warnings and the run time; `${...}` is only known at deploy time.
 */
function checkOptions(props: Record<string, unknown>, base: string, w: string, spec: WidgetSpec, r: Report): void {
  for (const [k, ps] of Object.entries(spec.properties)) {
    const v = props[k];
    if (!ps.options || ps.openOptions || typeof v !== 'string' || v.trim() === '' || PLACEHOLDER.test(v) || LIQUID.test(v)) continue;
    const value = ps.exactCase ? v.trim() : v.trim().toLowerCase();
    if (ps.options.some((o) => (ps.exactCase ? o : o.toLowerCase()) === value)) continue;
    r.error(`${base}/${escapePointer(k)}`, `${w}: ${k} "${v}" does not have a value in the enumeration [${ps.options.join(', ')}]`);
  }
}

/**
 * A literal whole number outside the range of a property whose spec asks for it (`rangeWarning`): a
 * warning, as the flow still runs (the engine uses the default). Other types are left to the schema.
 */
function checkRanges(props: Record<string, unknown>, base: string, w: string, spec: WidgetSpec, r: Report): void {
  for (const [k, v] of Object.entries(props)) {
    const ps = spec.properties[k];
    // Not a whole number: the schema's error already says so.
    if (!ps?.rangeWarning || typeof v !== 'number' || !Number.isInteger(v)) continue;
    const min = ps.min ?? -Infinity;
    const max = ps.max ?? Infinity;
    if (v >= min && v <= max) continue;
    const fallback = ps.default === undefined ? 'it is left out' : `the default ${String(ps.default)} is used`;
    r.warn(`${base}/${escapePointer(k)}`, `${w}: ${k} ${v} is outside ${min}..${max}; ${fallback} instead`);
  }
}

/**
 * Literal values the engine sends as written but Twilio's verbs give no documented meaning to: a
 * warning, so the author knows before a call. Gather Input On Call `timeout` 0 or less: <Gather>'s
 * timeout is a positive integer (others are Twilio's warning 13313), and what the call then waits is
 * Twilio's to decide (the simulator phone waits the default 5 s); Studio's docs give the widget 1–30 s
 * in one version, 0–30 in another, so it stays valid. Record Voicemail `finish_on_key` "": unlike
 * <Gather>'s, <Record>'s finishOnKey documents no empty value (any digit, # or *; default
 * 1234567890*#), so the engine leaves it out and any key ends the recording.
 */
function checkVerbValues(type: string, props: Record<string, unknown>, base: string, w: string, r: Report): void {
  const timeout = props.timeout;
  if (type === 'gather-input-on-call' && typeof timeout === 'number' && Number.isInteger(timeout) && timeout <= 0) {
    r.warn(
      `${base}/timeout`,
      `${w}: timeout ${timeout} is sent as written, but Twilio's <Gather> takes a positive number of seconds (warning 13313 for others), so the wait is Twilio's to decide (the simulator phone waits its default 5 s)`,
    );
  }
  if (type === 'record-voicemail' && typeof props.finish_on_key === 'string' && props.finish_on_key.trim() === '') {
    r.warn(
      `${base}/finish_on_key`,
      `${w}: finish_on_key "${props.finish_on_key}" is left out: <Record> has no empty finishOnKey (unlike <Gather>), so any key ends the recording (Twilio's default 1234567890*#)`,
    );
  }
}

/** Run Subflow takes a literal flow SID and a revision selector (§2.20, error 81021). */
function checkSubflow(props: Record<string, unknown>, base: string, w: string, r: Report): void {
  const sid = props.flow_sid;
  if (typeof sid === 'string' && !FLOW_SID.test(sid) && !PLACEHOLDER.test(sid)) {
    r.error(`${base}/flow_sid`, `${w}: flow_sid "${sid}" must be a valid, non-liquid flow sid`);
  }
  const rev = props.flow_revision;
  if (typeof rev === 'string' && !REVISION.test(rev) && !PLACEHOLDER.test(rev)) {
    r.error(
      `${base}/flow_revision`,
      `${w}: flow_revision "${rev}" must be an integer, LatestPublished, LatestRevision or LatestDraft`,
    );
  } else if (typeof rev === 'number' && (!Number.isInteger(rev) || rev < 1)) {
    r.error(`${base}/flow_revision`, `${w}: flow_revision ${rev} must be a positive integer`);
  }
}

/**
 * Send & Wait `timeout`, as a string (or an integer, see walkValue): a literal the engine cannot use is
 * not an error (the flow still runs), but the engine waits the default instead; say so. Liquid and
 * `${...}` placeholders are only known at run time / deploy time.
 */
function checkReplyTimeout(props: Record<string, unknown>, base: string, w: string, r: Report): void {
  const raw = props.timeout;
  let text: string;
  if (typeof raw === 'number') text = String(raw);
  else if (typeof raw === 'string' && !LIQUID.test(raw) && !PLACEHOLDER.test(raw)) text = raw.trim();
  else return;
  if (text === '' || replyTimeoutSeconds(text) !== null) return; // '' is unset: the default, as the Console means it
  r.warn(
    `${base}/timeout`,
    `${w}: timeout ${JSON.stringify(raw)} is not ${REPLY_TIMEOUT_RULE}; ` +
      `the default ${STUDIO_REPLY_TIMEOUT_SECONDS} seconds (or --default-reply-timeout) is used instead`,
  );
}

/**
 * A form-encoded request sends its parameters as the body (the Console shows no body field for it), so
 * a `body` next to parameters is never sent: say so rather than drop it quietly.
 */
function checkFormBody(props: Record<string, unknown>, base: string, w: string, r: Report): void {
  const type = typeof props.content_type === 'string' ? props.content_type.toLowerCase() : 'application/x-www-form-urlencoded';
  if (!type.startsWith('application/x-www-form-urlencoded')) return;
  const method = typeof props.method === 'string' ? props.method.toUpperCase() : 'GET';
  if (method === 'GET') return; // GET sends no body at all; parameters go in the query
  const hasParameters = Array.isArray(props.parameters) && props.parameters.length > 0;
  if (hasParameters && typeof props.body === 'string' && props.body.trim() !== '') {
    r.warn(`${base}/body`, `${w}: body is not sent: a form-encoded ${method} sends its parameters as the body`);
  }
}
