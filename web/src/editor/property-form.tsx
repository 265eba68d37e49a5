// The property panel of the selected widget: name, properties (fields generated from the widget's
// spec in src/definition/widget-specs.ts, the same table the validator's schemas come from),
// transitions, and the findings that belong to this widget.
import { useEffect, useId, useState } from 'react';
import { SPLIT_OPERATORS, WIDGET_SPECS, type PropSpec } from '../../../src/definition/widget-specs.ts';
import type { FlowDefinition, State, ValidationIssue, WidgetType } from '../api/types.ts';
import {
  addSplitCondition,
  connect,
  eventSlots,
  followInput,
  followsInput,
  removeTransition,
  removeWidget,
  renameWidget,
  setProperty,
  splitInput,
  takesValue,
  updateSplitCondition,
  type ConditionPatch,
} from './definition-ops.ts';
import type { WidgetIssues } from './graph.ts';
import { WidgetIcon } from './icons.tsx';
import { useFlowList } from '../flows/use-flow-names.ts';
import { usePendingEdit } from './pending-edits.ts';
import { propertyHelp, propertyLabel } from './property-label.ts';

/** Long free text gets a textarea. */
const MULTILINE = new Set(['body', 'say', 'attributes', 'task_attributes', 'chat_attributes', 'welcome_greeting']);

interface FormProps {
  definition: FlowDefinition;
  state: State;
  stateIndex: number;
  issues: WidgetIssues;
  readOnly: boolean;
  /** An edit; `field` names the field being typed into, so that undo takes back what was typed there at once. */
  onChange: (definition: FlowDefinition, field?: string) => void;
  onSelect: (name: string | null) => void;
  onError: (message: string) => void;
  /** After "Delete widget": the panel (and its button, which had focus) goes, so focus is put somewhere sensible. */
  onDeleted?: () => void;
}

function propertyIssues(issues: ValidationIssue[], stateIndex: number, key: string): ValidationIssue[] {
  const prefix = `#/states/${stateIndex}/properties/${key}`;
  return issues.filter((i) => i.property_path === prefix || i.property_path.startsWith(prefix + '/'));
}

/**
 * Which field a finding listed at the top of the panel (one not about a property) is about, from its
 * path below the widget's: a condition's name, operator or value; a transition's target; else the
 * widget itself, whose first field is its name.
 */
export function findingField(path: string, stateIndex: number): string {
  const base = `#/states/${stateIndex}`;
  const rest = path.startsWith(base) ? path.slice(base.length) : path;
  const transition = /^\/transitions\/(\d+)(\/.*)?$/.exec(rest);
  if (!transition) return 'widget';
  const [, index, below = ''] = transition;
  const condition = /^\/conditions\/0\/(friendly_name|arguments|type|value)(?:\/|$)/.exec(below)?.[1];
  if (condition === 'type') return `operator:${index}`;
  if (condition === 'value') return `value:${index}`;
  if (condition) return `condition:${index}`;
  return `next:${index}`;
}

/** What a field reads with it of the findings listed at the top: their ids, and whether one is an error. */
type FindingsAbout = (field: string) => { describedBy: string | undefined; invalid: boolean };

/**
 * The widget's name, applied on blur or Enter (a rename rewrites every transition to it). A name
 * that cannot be applied stays in the field, marked "not applied" and reported through onError, so
 * neither the user nor a Save that blurred the field takes it for the widget's name; Escape puts
 * the widget's name back.
 */
function NameField({
  state,
  definition,
  readOnly,
  onChange,
  onError,
  onSelect,
  findings,
}: Pick<FormProps, 'state' | 'definition' | 'readOnly' | 'onChange' | 'onError' | 'onSelect'> & {
  /** The findings about the widget itself, which its name reads with it. */
  findings: ReturnType<FindingsAbout>;
}) {
  const [name, setName] = useState(state.name);
  const [notApplied, setNotApplied] = useState<string | null>(null);
  const errorId = useId();
  usePendingEdit(name !== state.name);
  useEffect(() => {
    setName(state.name);
    setNotApplied(null);
  }, [state.name]);
  const commit = () => {
    if (name === state.name) return setNotApplied(null);
    try {
      onChange(renameWidget(definition, state.name, name));
      onSelect(name);
      setNotApplied(null);
    } catch (error) {
      const reason = (error as Error).message;
      setNotApplied(reason);
      onError(`Widget name “${name}” not applied: ${reason}. The widget is still named ${state.name}.`);
    }
  };
  return (
    <div className={`field ${notApplied ? 'is-invalid' : ''}`} data-not-applied={notApplied ? 'true' : undefined}>
      <label className="field-label" htmlFor={`${errorId}-input`}>
        Widget name
      </label>
      <input
        id={`${errorId}-input`}
        name="widget-name"
        value={name}
        readOnly={readOnly}
        aria-invalid={notApplied !== null || findings.invalid}
        aria-describedby={[notApplied ? errorId : '', findings.describedBy ?? ''].filter(Boolean).join(' ') || undefined}
        onChange={(e) => {
          setName(e.target.value);
          setNotApplied(null);
        }}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') {
            setName(state.name);
            setNotApplied(null);
          }
        }}
      />
      {notApplied && (
        <span id={errorId} className="field-error" role="alert">
          Not applied: {notApplied}. The widget is still named {state.name}.
        </span>
      )}
    </div>
  );
}

/**
 * A list of key/value rows (Set Variables' variables, a request's parameters): each row a group named
 * after the list and its number, its fields named by the "Key" and "Value" labels shown above them.
 */
function KeyValueEditor({
  value,
  onChange,
  readOnly,
  label,
  labelledBy,
  describedBy,
}: {
  value: unknown;
  onChange: (v: unknown, typing?: string) => void;
  readOnly: boolean;
  label: string;
  /** The id of the property's name shown above the list, which names the list. */
  labelledBy: string;
  describedBy: string | undefined;
}) {
  const rows = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  const update = (index: number, field: 'key' | 'value', text: string) => onChange(rows.map((row, i) => (i === index ? { ...row, [field]: text } : row)), `${index}.${field}`);
  return (
    <div className="kv-editor" role="group" aria-labelledby={labelledBy} aria-describedby={describedBy}>
      {rows.map((row, index) => (
        <div className="kv-row" role="group" aria-label={`${label} ${index + 1}`} key={index}>
          <label className="field">
            <span className="field-label">Key</span>
            <input value={String(row.key ?? '')} readOnly={readOnly} onChange={(e) => update(index, 'key', e.target.value)} />
          </label>
          <label className="field">
            <span className="field-label">Value</span>
            <input value={row.value === undefined ? '' : String(row.value)} readOnly={readOnly} onChange={(e) => update(index, 'value', e.target.value)} />
          </label>
          {!readOnly && (
            <button type="button" className="icon-button" aria-label={`Remove ${label} ${index + 1}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
              ×
            </button>
          )}
        </div>
      ))}
      {!readOnly && (
        <button type="button" className="link-button" onClick={() => onChange([...rows, { key: '', value: '' }])}>
          + Add row<span className="visually-hidden"> to {label}</span>
        </button>
      )}
    </div>
  );
}

function jsonText(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

/**
 * JSON for values no simple field fits (objects, `any`, arrays of objects); applied on blur when it
 * parses. Text that does not parse stays in the field, marked "not applied" (the flow keeps the
 * previous value), and is reported through onNotApplied, so a Save that blurred it can tell.
 */
function JsonField({
  name,
  value,
  onChange,
  onNotApplied,
  readOnly,
  id,
  describedBy,
}: {
  name: string;
  value: unknown;
  onChange: (v: unknown) => void;
  /** Why the text typed was not applied (null: it was, or was put back). */
  onNotApplied: (reason: string | null) => void;
  readOnly: boolean;
  id: string;
  /** The field's help and findings (ids), read with it. */
  describedBy: string | undefined;
}) {
  const [text, setText] = useState(() => jsonText(value));
  const [error, setError] = useState<string | null>(null);
  usePendingEdit(!readOnly && text !== jsonText(value));
  const fail = (reason: string | null) => {
    setError(reason);
    onNotApplied(reason);
  };
  useEffect(() => {
    setText(jsonText(value));
    setError(null);
    onNotApplied(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <>
      <textarea
        id={id}
        className="code"
        rows={4}
        value={text}
        readOnly={readOnly}
        aria-invalid={error !== null}
        aria-describedby={[error ? `${id}-not-applied` : '', describedBy ?? ''].filter(Boolean).join(' ') || undefined}
        data-not-applied={error ? 'true' : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => {
          if (readOnly) return;
          if (text.trim() === '') {
            fail(null);
            return onChange(undefined);
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch (caught) {
            return fail(`not valid JSON (${(caught as Error).message})`);
          }
          fail(null);
          onChange(parsed);
        }}
      />
      {error && (
        <span id={`${id}-not-applied`} className="field-error" role="alert">
          Not applied: {name} is {error}. The flow keeps its previous value.
        </span>
      )}
    </>
  );
}

/**
 * A property Studio takes a fixed set of values for (spec `options`): one of them, or none (the widget's
 * default applies) when it is not required. A value outside them (an imported flow's, Liquid) stays
 * offered as it is, so that opening the widget never changes it.
 */
function OptionSelect({
  id,
  name,
  value,
  options,
  fallback,
  required,
  readOnly,
  invalid,
  describedBy,
  onChange,
}: {
  id: string;
  name: string;
  value: string;
  options: readonly string[];
  /** The spec's default: what an unset property means. */
  fallback: string | undefined;
  required: boolean;
  readOnly: boolean;
  invalid: boolean;
  describedBy: string | undefined;
  onChange: (v: unknown) => void;
}) {
  return (
    <select
      id={id}
      name={name}
      value={value}
      disabled={readOnly}
      required={required}
      aria-invalid={invalid}
      aria-describedby={describedBy}
      onChange={(e) => onChange(e.target.value === '' && !required ? undefined : e.target.value)}
    >
      {(value === '' || !required) && <option value="">{fallback === undefined ? '—' : `— (default: ${fallback})`}</option>}
      {options.map((option) => (
        <option key={option} value={option}>
          {option}
        </option>
      ))}
      {value !== '' && !options.includes(value) && <option value={value}>{value}</option>}
    </select>
  );
}

function isKeyValueArray(spec: PropSpec): boolean {
  return spec.type === 'array' && !!spec.items?.properties?.key && !!spec.items.properties.value;
}

/** Whether a property must have a value, given its widget's other properties (requiredUnless). */
export function isRequiredNow(spec: PropSpec, properties: Record<string, unknown>): boolean {
  if (spec.required) return true;
  return !!spec.requiredUnless && properties[spec.requiredUnless.property] !== spec.requiredUnless.equals;
}

function PropertyField({
  name,
  label: shownName,
  spec,
  value,
  issues,
  warnings = [],
  readOnly,
  requiredNow = false,
  choices,
  note,
  onChange,
  onError,
}: {
  name: string;
  /** The property's name shown (propertyLabel), the key beside it; none: the key alone (a property the spec does not know). */
  label?: string | undefined;
  spec: PropSpec;
  value: unknown;
  /** The validator's errors about this property; its warnings come apart, shown as warnings. */
  issues: ValidationIssue[];
  warnings?: ValidationIssue[];
  readOnly: boolean;
  requiredNow?: boolean;
  /** Values to offer besides the spec's options (the account's flows for a subflow), typing anything else still allowed. */
  choices?: { value: string; label: string }[] | undefined;
  /** A line under the field saying what its value refers to. */
  note?: string | null | undefined;
  /** A new value; `typing` (a sub-field, '' for the field itself) when it was typed, so typing on is one undo step. */
  onChange: (v: unknown, typing?: string) => void;
  /** Told when text typed in the field could not be applied (invalid JSON). */
  onError?: ((message: string) => void) | undefined;
}) {
  const id = useId();
  const [notApplied, setNotApplied] = useState<string | null>(null);
  const listId = `${id}-options`;
  const required = spec.required || !!spec.requiredUnless;
  // The description under the field, unless the label shown already says all of it.
  const help = shownName === undefined ? spec.description : propertyHelp(name, spec);
  // The server's schema only asks that a required property is there, so an emptied one passes it;
  // it would go out empty (a blank SMS, a silent Say), so the panel says so.
  const emptyRequired = requiredNow && typeof value === 'string' && value.trim() === '' && issues.length === 0 && warnings.length === 0;
  // Only errors make the field invalid (red); a warning is worth knowing but saves and runs.
  const invalid = issues.length > 0 || notApplied !== null;
  // The help, the note and every finding under the field are read with it (ids below).
  const describedBy =
    [
      help ? `${id}-help` : '',
      note ? `${id}-note` : '',
      ...issues.map((_, i) => `${id}-error-${i}`),
      ...warnings.map((_, i) => `${id}-warning-${i}`),
      emptyRequired ? `${id}-empty` : '',
    ]
      .filter(Boolean)
      .join(' ') || undefined;
  let control;
  const checkbox = spec.type === 'boolean' && (value === undefined || typeof value === 'boolean');
  const keyValues = !checkbox && isKeyValueArray(spec);
  if (checkbox) {
    control = <input id={id} name={name} type="checkbox" checked={value === true} disabled={readOnly} aria-describedby={describedBy} onChange={(e) => onChange(e.target.checked)} />;
  } else if (spec.type === 'string' && spec.options && !spec.openOptions && !choices && (value === undefined || typeof value === 'string')) {
    control = (
      <OptionSelect
        id={id}
        name={name}
        value={value ?? ''}
        options={spec.options}
        fallback={spec.default === undefined ? undefined : String(spec.default)}
        required={required}
        readOnly={readOnly}
        invalid={invalid}
        describedBy={describedBy}
        onChange={onChange}
      />
    );
  } else if (keyValues) {
    control = <KeyValueEditor label={name} labelledBy={`${id}-label`} value={value} onChange={onChange} readOnly={readOnly} describedBy={describedBy} />;
  } else if (spec.type === 'string' || spec.type === 'integer' || spec.type === 'number') {
    const numeric = spec.type !== 'string';
    const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    const toValue = (input: string): unknown => {
      if (input === '' && !required) return undefined;
      // Numbers stay numbers; Liquid or other text in a numeric field is kept as typed.
      if (numeric && /^-?\d+(\.\d+)?$/.test(input)) return Number(input);
      return input;
    };
    control =
      MULTILINE.has(name) && !numeric ? (
        <textarea
          id={id}
          name={name}
          rows={4}
          value={text}
          readOnly={readOnly}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          required={required}
          onChange={(e) => onChange(toValue(e.target.value), '')}
        />
      ) : (
        <>
          <input
            id={id}
            name={name}
            value={text}
            readOnly={readOnly}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            required={required}
            inputMode={numeric ? 'numeric' : undefined}
            list={spec.options || choices ? listId : undefined}
            placeholder={spec.default !== undefined ? String(spec.default) : undefined}
            onChange={(e) => onChange(toValue(e.target.value), '')}
          />
          {(spec.options || choices) && (
            <datalist id={listId}>
              {spec.options?.map((option) => (
                <option key={option} value={option} />
              ))}
              {choices?.map((choice) => (
                <option key={choice.value} value={choice.value}>
                  {choice.label}
                </option>
              ))}
            </datalist>
          )}
        </>
      );
  } else {
    control = (
      <JsonField
        id={id}
        name={name}
        value={value}
        onChange={onChange}
        readOnly={readOnly}
        describedBy={describedBy}
        onNotApplied={(reason) => {
          setNotApplied(reason);
          if (reason) onError?.(`${name} not applied: it is ${reason}. The flow keeps its previous value.`);
        }}
      />
    );
  }
  // The space outside the mark: inside it, the mark's aria-label replaced it too, and the name ran "urlrequired".
  const mark = required && (
    <>
      {' '}
      <span className="required" aria-label="required">
        *
      </span>
    </>
  );
  // The human name with the raw key beside it, smaller (users match keys against exported JSON); both are
  // in the field's accessible name ("Text to speak (say)"), so either finds it.
  const labelText =
    shownName === undefined || shownName === name ? (
      name
    ) : (
      <>
        {shownName}{' '}
        <code className="field-key" title={`Property key: ${name}`}>
          ({name})
        </code>
      </>
    );
  // A key/value list is no one control: its name names the group of its rows (each row's fields have labels of their own).
  const label = keyValues ? (
    <span id={`${id}-label`} className="field-label">
      {labelText}
      {mark}
    </span>
  ) : (
    <label htmlFor={id} className="field-label">
      {labelText}
      {mark}
    </label>
  );
  return (
    <div
      className={`field ${invalid ? 'is-invalid' : warnings.length > 0 || emptyRequired ? 'has-warning' : ''}`}
      data-property={name}
      data-not-applied={notApplied ? 'true' : undefined}
    >
      {checkbox ? (
        // The box beside its name, not alone in the middle of the panel under it.
        <span className="field-check">
          {control}
          {label}
        </span>
      ) : (
        <>
          {label}
          {control}
        </>
      )}
      {help && (
        <span className="field-help" id={`${id}-help`}>
          {help}
        </span>
      )}
      {note && (
        <span className="field-note" id={`${id}-note`}>
          {note}
        </span>
      )}
      {issues.map((issue, i) => (
        <span key={i} id={`${id}-error-${i}`} className="field-error" role="alert">
          {issue.message}
        </span>
      ))}
      {warnings.map((issue, i) => (
        <span key={i} id={`${id}-warning-${i}`} className="field-warning">
          <span className="visually-hidden">Warning: </span>
          {issue.message}
        </span>
      ))}
      {emptyRequired && (
        <span className="field-warning" id={`${id}-empty`}>
          <span className="visually-hidden">Warning: </span>
          {name} is required and is empty.
        </span>
      )}
    </div>
  );
}

/** Studio names its conditions "If value equal_to 1" already; only other names get the "If". */
export function conditionLabel(friendlyName: string): string {
  const name = friendlyName.trim();
  if (!name) return 'If condition';
  return /^if\b/i.test(name) ? name : `If ${name}`;
}

/** A Run Subflow's flow: typed as before (a SID of another account's export, say) or picked from this account's flows. */
function SubflowField(props: Omit<Parameters<typeof PropertyField>[0], 'choices' | 'note'>) {
  const flows = useFlowList(true);
  const value = typeof props.value === 'string' ? props.value.trim() : '';
  const chosen = flows?.find((flow) => flow.sid === value);
  const note = !value || !flows ? null : chosen ? `Runs “${chosen.friendly_name}” (${chosen.status})` : /^FW[0-9a-fA-F]{32}$/.test(value) ? 'No flow with this SID in this account' : null;
  return <PropertyField {...props} choices={flows?.map((flow) => ({ value: flow.sid, label: flow.friendly_name }))} note={note} />;
}

/**
 * Where each event of the widget leads: one row per event slot (its transitions, then the events of
 * its type it has none for yet, which become transitions once connected). A split's conditions
 * test its input; one that tests something else (an imported flow) says so and can be set back.
 */
function TransitionsEditor({
  definition,
  state,
  readOnly,
  onChange,
  onError,
  findingsAbout,
}: Pick<FormProps, 'definition' | 'state' | 'readOnly' | 'onChange' | 'onError'> & { findingsAbout: FindingsAbout }) {
  const argumentsNoteId = useId();
  // The widget itself is a target too: a Gather re-prompting on timeout loops back to itself.
  const targets = definition.states.filter((s) => s.type !== 'trigger').map((s) => s.name);
  const isSplit = state.type === 'split-based-on';
  const input = splitInput(state);
  const apply = (fn: () => FlowDefinition, field?: string) => {
    try {
      onChange(fn(), field);
    } catch (error) {
      onError((error as Error).message);
    }
  };
  /** `typed`: the condition field typed into (its name or value), so typing on there is one undo step. */
  const updateCondition = (index: number, patch: ConditionPatch, typed?: string) =>
    apply(() => updateSplitCondition(definition, state.name, index, patch), typed === undefined ? undefined : `${state.name}/transitions/${index}/${typed}`);
  return (
    <fieldset className="transitions">
      <legend>Transitions</legend>
      {eventSlots(state).map(({ index, event, transition }) => {
        const condition = transition?.conditions?.[0];
        const valueless = condition ? !takesValue(condition.type) : false;
        const next = findingsAbout(`next:${index}`);
        const operator = findingsAbout(`operator:${index}`);
        const compared = findingsAbout(`value:${index}`);
        const named = findingsAbout(`condition:${index}`);
        const testsOther = isSplit && condition && !followsInput(condition, input);
        const conditionNotes = [named.describedBy ?? '', testsOther ? `${argumentsNoteId}-${index}` : ''].filter(Boolean).join(' ') || undefined;
        return (
          <div className="transition-row" key={index} data-event={event} data-missing={transition ? undefined : 'true'}>
            {/* Its name holds the label shown (a speech user says what they see), and says which event it is. */}
            <label className="field">
              <span className="field-label transition-label">{event === 'match' && condition ? conditionLabel(condition.friendly_name) : event}</span>
              <select
                value={transition?.next ?? ''}
                disabled={readOnly}
                aria-label={`Next widget after ${event}${condition ? ` (${conditionLabel(condition.friendly_name)})` : ''}`}
                aria-invalid={next.invalid || undefined}
                aria-describedby={next.describedBy}
                onChange={(e) => apply(() => connect(definition, state.name, index, e.target.value || null))}
              >
                <option value="">— ends the flow —</option>
                {targets.map((name) => (
                  <option key={name} value={name}>
                    {name === state.name ? `${name} (this widget)` : name}
                  </option>
                ))}
              </select>
            </label>
            {isSplit && event === 'match' && condition && (
              // Each field named by a label shown above it (the words its accessible name is made of).
              <div className="condition">
                <label className="field condition-name">
                  <span className="field-label">Condition name</span>
                  <input
                    value={condition.friendly_name}
                    readOnly={readOnly}
                    aria-invalid={named.invalid || undefined}
                    aria-describedby={conditionNotes}
                    onChange={(e) => updateCondition(index, { friendly_name: e.target.value }, 'friendly_name')}
                  />
                </label>
                <label className="field">
                  <span className="field-label">Operator</span>
                  <select
                    value={condition.type}
                    disabled={readOnly}
                    aria-invalid={operator.invalid || undefined}
                    aria-describedby={operator.describedBy}
                    onChange={(e) => updateCondition(index, { type: e.target.value })}
                  >
                    {[...new Set([...SPLIT_OPERATORS, condition.type])].map((op) => (
                      <option key={op} value={op}>
                        {op.replace(/_/g, ' ')}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="field">
                  <span className="field-label">Value</span>
                  <input
                    value={valueless ? '' : condition.value}
                    placeholder={valueless ? 'no value to compare' : undefined}
                    title={valueless ? `${condition.type.replace(/_/g, ' ')} tests the input only` : undefined}
                    readOnly={readOnly}
                    disabled={valueless}
                    aria-invalid={compared.invalid || undefined}
                    aria-describedby={compared.describedBy}
                    onChange={(e) => updateCondition(index, { value: e.target.value }, 'value')}
                  />
                </label>
                {!readOnly && (
                  <button type="button" className="icon-button" aria-label={`Remove condition ${condition.friendly_name}`} onClick={() => apply(() => removeTransition(definition, state.name, index))}>
                    ×
                  </button>
                )}
              </div>
            )}
            {testsOther && (
              <div className="field-warning condition-arguments" role="note" id={`${argumentsNoteId}-${index}`}>
                <span>
                  This condition tests <code>{JSON.stringify(condition.arguments ?? [])}</code>, not the split’s input <code>{JSON.stringify(input)}</code>. Editing the input makes every
                  condition test it.
                </span>
                {!readOnly && (
                  <button type="button" className="link-button" onClick={() => apply(() => followInput(definition, state.name, index))}>
                    Test the input
                  </button>
                )}
              </div>
            )}
          </div>
        );
      })}
      {isSplit && !readOnly && (
        <button type="button" className="link-button" onClick={() => apply(() => addSplitCondition(definition, state.name))}>
          + Add condition
        </button>
      )}
    </fieldset>
  );
}

export function PropertyForm(props: FormProps) {
  const { definition, state, stateIndex, issues, readOnly, onChange, onSelect, onError, onDeleted } = props;
  const spec = WIDGET_SPECS[state.type as WidgetType];
  const properties = state.properties ?? {};
  const known = spec ? Object.entries(spec.properties).filter(([key]) => key !== 'offset') : [];
  const extra = Object.keys(properties).filter((key) => key !== 'offset' && !(spec && key in spec.properties));
  const set = (key: string) => (value: unknown, typing?: string) =>
    onChange(setProperty(definition, state.name, key, value), typing === undefined ? undefined : `${state.name}/${key}/${typing}`);
  const widgetLevel = [...issues.errors, ...issues.warnings].filter((i) => !/\/properties\//.test(i.property_path));
  // Each finding listed at the top is read with the field it is about (findingField).
  const findingsId = useId();
  const findingsAbout: FindingsAbout = (field) => {
    const about = widgetLevel.map((issue, i) => ({ issue, id: `${findingsId}-${i}` })).filter(({ issue }) => findingField(issue.property_path, stateIndex) === field);
    return { describedBy: about.map(({ id }) => id).join(' ') || undefined, invalid: about.some(({ issue }) => issues.errors.includes(issue)) };
  };
  return (
    <form className="property-form" aria-label={`Properties of ${state.name}`} onSubmit={(e) => e.preventDefault()}>
      <header className="panel-header">
        <WidgetIcon type={state.type} size={22} />
        <div>
          <h2>{state.name}</h2>
          <div className="muted small">
            {spec?.label ?? state.type} · <code>{state.type}</code>
            {spec && spec.status !== 'confirmed' && <span className="badge">{spec.status}</span>}
          </div>
        </div>
      </header>
      {widgetLevel.length > 0 && (
        <ul className="issue-list" aria-label="Findings on this widget">
          {widgetLevel.map((issue, i) => (
            <li key={i} id={`${findingsId}-${i}`} className={issues.errors.includes(issue) ? 'issue-error' : 'issue-warning'}>
              {issue.message}
            </li>
          ))}
        </ul>
      )}
      <NameField {...props} findings={findingsAbout('widget')} />
      {known.map(([key, propSpec]) => {
        const field = {
          name: key,
          label: propertyLabel(key, propSpec),
          spec: propSpec,
          value: properties[key],
          issues: propertyIssues(issues.errors, stateIndex, key),
          warnings: propertyIssues(issues.warnings, stateIndex, key),
          readOnly,
          requiredNow: isRequiredNow(propSpec, properties),
          onChange: set(key),
          onError,
        };
        return state.type === 'run-subflow' && key === 'flow_sid' ? <SubflowField key={`${state.name}:${key}`} {...field} /> : <PropertyField key={`${state.name}:${key}`} {...field} />;
      })}
      {extra.map((key) => (
        <PropertyField
          key={`${state.name}:${key}`}
          name={key}
          spec={{ type: 'any', description: 'Not in the widget specification; kept as it is' }}
          value={properties[key]}
          issues={propertyIssues(issues.errors, stateIndex, key)}
          warnings={propertyIssues(issues.warnings, stateIndex, key)}
          readOnly={readOnly}
          onChange={set(key)}
          onError={onError}
        />
      ))}
      {state.type !== 'trigger' || eventSlots(state).length > 0 ? <TransitionsEditor {...props} findingsAbout={findingsAbout} /> : null}
      {!readOnly && state.type !== 'trigger' && (
        <button
          type="button"
          className="danger"
          onClick={() => {
            onChange(removeWidget(definition, state.name));
            onSelect(null);
            onDeleted?.();
          }}
        >
          Delete widget
        </button>
      )}
    </form>
  );
}
