// A widget on the canvas: icon, name and type, its findings, one target handle on top and one
// source handle per event slot (its transitions, then the events of its type it has none for yet,
// as Studio shows a widget's full event set: eventSlots, definition-ops.ts), each at its event's
// label: along the bottom while the events fit on one row, else one event per line with its handle
// on the right edge (eventLayout, graph.ts).
import { Handle, Position, type NodeProps, type Node } from '@xyflow/react';
import { WIDGET_SPECS } from '../../../src/definition/widget-specs.ts';
import type { WidgetType } from '../api/types.ts';
import { eventSlots } from './definition-ops.ts';
import { eventLayout, handleId, slotLabel, type WidgetNodeData } from './graph.ts';
import { WidgetIcon, widgetFamily } from './icons.tsx';

/** Long split conditions would make a widget as wide as the canvas; the full text is in the title and the panel. */
const CONDITION_MAX = 24;
/** Longer than any event of a known widget type (an unknown type's events may be any string). */
const EVENT_NAME_MAX = 28;

function shorten(label: string, max: number): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

export type WidgetNodeType = Node<WidgetNodeData, 'widget'>;

export function WidgetNode({ data, selected }: NodeProps<WidgetNodeType>) {
  const { state, issues } = data;
  const spec = WIDGET_SPECS[state.type as WidgetType];
  const errorCount = issues.errors.length;
  const warningCount = issues.warnings.length;
  const classes = [
    'widget-node',
    `family-${widgetFamily(state.type)}`,
    selected ? 'is-selected' : '',
    errorCount ? 'has-errors' : '',
    data.visited ? 'is-visited' : '',
    data.current ? 'is-current' : '',
  ].join(' ');
  const slots = eventSlots(state);
  // An event's own name is shown whole (the Trigger's incomingConversationMessage, 27 characters, was cut on every flow).
  const labels = slots.map((slot) => {
    const label = slotLabel(slot);
    return shorten(label, label === slot.event ? EVENT_NAME_MAX : CONDITION_MAX);
  });
  const layout = eventLayout(labels);
  return (
    <div className={`${classes} events-${layout}`} data-widget={state.name} data-type={state.type} title={issues.errors.map((e) => e.message).join('\n') || undefined}>
      {state.type !== 'trigger' && <Handle type="target" position={Position.Top} className="handle-target" />}
      <div className="widget-head">
        <WidgetIcon type={state.type} />
        <div className="widget-titles">
          <div className="widget-name">{state.name}</div>
          <div className="widget-type">{spec?.label ?? state.type}</div>
        </div>
      </div>
      {(errorCount > 0 || warningCount > 0) && (
        <div className="widget-issues">
          {errorCount > 0 && (
            // Hidden from screen readers: the widget's own name says its findings (graph.ts), and a live region per
            // widget would announce every one of a broken flow's at once.
            <span className="badge badge-error" aria-hidden="true">
              ⚠ {errorCount} error{errorCount > 1 ? 's' : ''}
            </span>
          )}
          {warningCount > 0 && <span className="badge badge-warning" aria-hidden="true">{warningCount} warning{warningCount > 1 ? 's' : ''}</span>}
        </div>
      )}
      {errorCount > 0 && <div className="widget-error-text">{issues.errors[0]!.message}</div>}
      <div className={`widget-events is-${layout}`}>
        {slots.map((slot) => (
          <div key={slot.index} className={`widget-event ${slot.transition?.next ? 'is-connected' : ''}`} data-event={slot.event} data-missing={slot.transition ? undefined : 'true'}>
            <span className="event-label" title={slotLabel(slot)}>
              {labels[slot.index]}
            </span>
            <Handle type="source" position={layout === 'row' ? Position.Bottom : Position.Right} id={handleId(slot.index)} className="handle-source" />
          </div>
        ))}
      </div>
    </div>
  );
}
