// Studio flow definition JSON, as exported by the Twilio Console (studio-flow-language.md §1).

export const WIDGET_TYPES = [
  'trigger',
  'split-based-on',
  'set-variables',
  'say-play',
  'gather-input-on-call',
  'connect-call-to',
  'make-outgoing-call-v2',
  'make-outgoing-call-v1',
  'record-voicemail',
  'record-call',
  'enqueue-call',
  'send-to-flex',
  'capture-payments',
  'fork-stream',
  'connect-virtual-agent',
  'connect-virtual-agent-v2',
  'send-message',
  'send-and-wait-for-reply',
  'run-function',
  'make-http-request',
  'add-twiml-redirect',
  'run-subflow',
  'send-to-auto-pilot',
  'add-member-to-chat-channel',
  'create-chat-channel',
  'start-conversation',
  'resume-conversation',
  'run-conversation-relay',
  'run-model-inference',
] as const;

export type WidgetType = (typeof WIDGET_TYPES)[number];

export interface SplitCondition {
  friendly_name: string;
  arguments: string[];
  type: string;
  value: string;
}

export interface Transition {
  event: string;
  /** Missing or "" ends the branch. */
  next?: string;
  conditions?: SplitCondition[];
}

export interface State {
  name: string;
  type: WidgetType;
  transitions: Transition[];
  properties: Record<string, unknown>;
}

export interface FlowDefinition {
  description?: string;
  $schema?: string;
  initial_state: string;
  states: State[];
  flags?: { allow_concurrent_calls: boolean };
}

/** A validation finding; property_path is a JSON pointer such as "#/states/3/properties/timeout". */
export interface ValidationIssue {
  property_path: string;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  /** The definition that was checked (after legacy migration, if any); absent when the input was not an object. */
  definition?: FlowDefinition;
}
