// A widget on the canvas: icon, name and type, its findings, one target handle on top and one
// source handle per transition, each at its event's label: along the bottom while the events fit
// on one row, else one event per line with its handle on the right edge (eventLayout, graph.ts).
import { Handle, Position, type NodeProps, type Node } from '@xyflow/react';
import { WIDGET_SPECS } from '../../../src/definition/widget-specs.ts';
import type { WidgetType } from '../api/types.ts';
import { eventLayout, handleId, transitionLabel, type WidgetNodeData } from './graph.ts';
import { WidgetIcon, widgetFamily } from './icons.tsx';

/** Long split conditions would make a widget as wide as the canvas; the full text is in the title and the panel. */
function shorten(label: string, max = 24): string {
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
  const transitions = state.transitions ?? [];
  const labels = transitions.map((transition) => shorten(transitionLabel(transition)));
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
            <span className="badge badge-error" role="status" aria-label={`${errorCount} validation error${errorCount > 1 ? 's' : ''}`}>
              ⚠ {errorCount} error{errorCount > 1 ? 's' : ''}
            </span>
          )}
          {warningCount > 0 && <span className="badge badge-warning">{warningCount} warning{warningCount > 1 ? 's' : ''}</span>}
        </div>
      )}
      {errorCount > 0 && <div className="widget-error-text">{issues.errors[0]!.message}</div>}
      <div className={`widget-events is-${layout}`}>
        {transitions.map((transition, index) => (
          <div key={index} className={`widget-event ${transition.next ? 'is-connected' : ''}`}>
            <span className="event-label" title={transitionLabel(transition)}>
              {labels[index]}
            </span>
            <Handle type="source" position={layout === 'row' ? Position.Bottom : Position.Right} id={handleId(index)} className="handle-source" />
          </div>
        ))}
      </div>
    </div>
  );
}
