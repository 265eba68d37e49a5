// The editor's side panel: the Properties, Chat and Phone tabs (WAI-ARIA tabs). A simulator, once
// shown, stays mounted while hidden, so a call or a conversation goes on, with its transcript, while
// the properties are edited; the steps each one shows go up to the page, whose canvas highlights them.
import { useCallback, useRef, useState, type Dispatch, type KeyboardEvent, type ReactNode, type SetStateAction } from 'react';
import type { Execution, FlowStatus, Step } from '../api/types.ts';
import { ChatPanel } from '../simulator/chat-panel.tsx';
import { PhonePanel } from '../simulator/phone-panel.tsx';

export type Panel = 'properties' | 'chat' | 'phone';

/** The steps each simulator shows. */
export interface SimulatorSteps {
  chat: Step[];
  phone: Step[];
}

export const NO_STEPS: SimulatorSteps = { chat: [], phone: [] };

/** The side panel's tabs, in order (arrow keys move between them). */
const PANELS: { id: Panel; label: string }[] = [
  { id: 'properties', label: 'Properties' },
  { id: 'chat', label: 'Chat' },
  { id: 'phone', label: 'Phone' },
];

export function SimulatorPanels({
  panel,
  onPanel,
  onSteps,
  onPublish,
  flowSid,
  flowRevision,
  flowStatus,
  properties,
}: {
  panel: Panel;
  onPanel: (panel: Panel) => void;
  onSteps: Dispatch<SetStateAction<SimulatorSteps>>;
  onPublish: () => Promise<void>;
  flowSid: string;
  flowRevision: number;
  flowStatus: FlowStatus;
  /** What the Properties tab shows. */
  properties: ReactNode;
}) {
  /** The simulators that have been shown: each stays mounted (hidden) from then on. */
  const [mounted, setMounted] = useState<Record<Panel, boolean>>({ properties: true, chat: false, phone: false });
  if (!mounted[panel]) setMounted({ ...mounted, [panel]: true });

  const onChatSteps = useCallback((steps: Step[], _execution: Execution | null) => onSteps((s) => (s.chat === steps ? s : { ...s, chat: steps })), [onSteps]);
  const onPhoneSteps = useCallback((steps: Step[], _execution: Execution | null) => onSteps((s) => (s.phone === steps ? s : { ...s, phone: steps })), [onSteps]);

  const tabsRef = useRef<HTMLDivElement>(null);
  /**
   * Selects a tab the user chose. In a narrow window the panel is stacked under the canvas, where the tabs can sit
   * at the window's foot with the panel wholly below it: choosing one would seem to do nothing, so the page
   * scrolls the tabs to the top (once the panel is shown). Beside the canvas the panel is in view: no scrolling.
   */
  const choose = (id: Panel) => {
    onPanel(id);
    requestAnimationFrame(() => {
      const shown = document.getElementById(`panel-${id}`);
      if (shown && shown.getBoundingClientRect().top > window.innerHeight - 120) tabsRef.current?.scrollIntoView({ block: 'start' });
    });
  };

  /** The tabs' keys (WAI-ARIA tabs, horizontal): Left and Right (wrapping), Home and End select and focus a tab; Tab leaves the list. */
  const onTabKey = (event: KeyboardEvent) => {
    const index = PANELS.findIndex((p) => p.id === panel);
    const last = PANELS.length - 1;
    const next =
      event.key === 'ArrowRight' ? (index + 1) % PANELS.length
      : event.key === 'ArrowLeft' ? (index + last) % PANELS.length
      : event.key === 'Home' ? 0
      : event.key === 'End' ? last
      : -1;
    if (next < 0) return;
    event.preventDefault();
    const id = PANELS[next]!.id;
    choose(id);
    document.getElementById(`tab-${id}`)?.focus();
  };

  return (
    <aside className="side-panel" aria-label="Side panel">
      <div ref={tabsRef} className="tabs" role="tablist" aria-label="Side panel" onKeyDown={onTabKey}>
        {PANELS.map(({ id, label }) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`tab-${id}`}
            aria-selected={panel === id}
            aria-controls={`panel-${id}`}
            tabIndex={panel === id ? 0 : -1}
            onClick={() => choose(id)}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="panel-properties" aria-labelledby="tab-properties" hidden={panel !== 'properties'} className="panel-scroll">
        {properties}
      </div>
      <div role="tabpanel" id="panel-chat" aria-labelledby="tab-chat" hidden={panel !== 'chat'} className="panel-scroll">
        {mounted.chat && <ChatPanel flowSid={flowSid} onSteps={onChatSteps} onPublish={onPublish} flowRevision={flowRevision} flowStatus={flowStatus} />}
      </div>
      <div role="tabpanel" id="panel-phone" aria-labelledby="tab-phone" hidden={panel !== 'phone'} className="panel-scroll">
        {mounted.phone && (
          <PhonePanel flowSid={flowSid} visible={panel === 'phone'} onSteps={onPhoneSteps} onPublish={onPublish} flowRevision={flowRevision} flowStatus={flowStatus} />
        )}
      </div>
    </aside>
  );
}
