// Wire shapes the console reads (the Studio v2 REST API and the simulator), as the server sends them;
// test/web/wire-types.test.ts checks the server's answers carry every key named here.
import type { FlowDefinition, ValidationIssue } from '../../../src/definition/types.ts';

export type { FlowDefinition, State, ValidationIssue, WidgetType } from '../../../src/definition/types.ts';

export interface PageMeta {
  page: number;
  page_size: number;
  first_page_url: string;
  previous_page_url: string | null;
  next_page_url: string | null;
  url: string;
  key: string;
}

export type FlowStatus = 'draft' | 'published';

export interface Flow {
  sid: string;
  account_sid: string;
  friendly_name: string;
  definition: FlowDefinition | null;
  status: FlowStatus;
  revision: number;
  commit_message: string | null;
  valid: boolean | null;
  errors: ValidationIssue[] | null;
  warnings: ValidationIssue[] | null;
  webhook_url: string;
  date_created: string;
  date_updated: string | null;
  url: string;
}

export interface Revision {
  sid: string;
  friendly_name: string;
  definition: FlowDefinition | null;
  status: FlowStatus;
  revision: number;
  commit_message: string | null;
  valid: boolean | null;
  errors: ValidationIssue[] | null;
  date_created: string;
  date_updated: string | null;
}

export type ExecutionStatus = 'active' | 'ended';

export interface Execution {
  sid: string;
  flow_sid: string;
  contact_channel_address: string;
  contact_sid: string;
  flow_version: number;
  context: Record<string, unknown>;
  status: ExecutionStatus;
  date_created: string;
  date_updated: string | null;
  initiated_by: string;
}

export interface Step {
  sid: string;
  execution_sid: string;
  parent_step_sid: string | null;
  name: string;
  context: Record<string, unknown> | null;
  transitioned_from: string;
  transitioned_to: string;
  type: string;
  date_created: string;
}

export interface StepContext {
  context: Record<string, unknown>;
  step_sid: string;
}

export interface SimulatorMessage {
  sid: string;
  direction: 'inbound' | 'outbound-api';
  from: string;
  to: string;
  body: string;
  media_url: string[];
  /** The Content API template (HX…) a message was sent with, or null. */
  content_sid: string | null;
  /** A message the flow posted into a conversation: the Attributes it gave (JSON text), or null. */
  attributes: string | null;
  status: string;
  execution_sid: string | null;
  date_created: string;
  /** The simulator's recording order, across transcripts: what orders messages of one second. */
  sequence: number | null;
}

export interface ValidationReport {
  valid: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

/** Twilio's error body. */
export interface TwilioErrorBody {
  code?: number;
  message?: string;
  status?: number;
  more_info?: string;
  details?: { errors?: ValidationIssue[] } & Record<string, unknown>;
}

/** A Monitor alert (/v1/Alerts): a warning or error an execution reported, as Twilio's Debugger lists them. */
export interface Alert {
  sid: string;
  account_sid: string;
  /** Form-encoded: Msg, ErrorCode, LogLevel, widget, executionSid. */
  alert_text: string;
  error_code: string;
  log_level: 'error' | 'warning';
  more_info: string;
  /** The execution (FN…). */
  resource_sid: string;
  /** The flow (FW…). */
  service_sid: string;
  date_created: string;
}

/** A step of a replay report: the transition it took. */
export interface ReplayStep {
  from: string;
  event: string;
  to: string;
}

/** One field of a widget's outputs that differs in a replay; a side without it leaves its value out. */
export interface ReplayFieldDifference {
  path: string;
  original?: unknown;
  replay?: unknown;
}

/** A widget's outputs (or `flow.variables`) that differ in a replay. */
export interface ReplayOutputDifference {
  widget: string;
  original: unknown;
  replay: unknown;
  fields: ReplayFieldDifference[];
}

/**
 * A widget that requested or said something else than the revision the execution ran (replayed on the
 * same answers): `request` a Make HTTP Request, `function` a Run Function, `voice` a call widget's TwiML.
 */
export interface ReplayEffectDifference {
  widget: string;
  kind: 'request' | 'function' | 'voice';
  /** Which time the widget did it (1 for the first). */
  occurrence: number;
  original: unknown;
  replay: unknown;
  fields: ReplayFieldDifference[];
}

/** The /replay extension's answer (a Switchboard extension, not Twilio's). */
export interface ReplayReport {
  execution_sid: string;
  flow_sid: string;
  original: { revision: number | null; path: string[]; steps: ReplayStep[]; messages: string[] };
  replay: { revision: number | string; path: string[]; steps: ReplayStep[]; messages: string[]; end: string };
  diverged: boolean;
  /** The first step where the two runs differ, or null when the path is the same. */
  divergence: { index: number; original: ReplayStep | null; replay: ReplayStep | null } | null;
  /** Line diffs: "  " both, "- " original only, "+ " replay only. */
  step_diff: string[];
  message_diff: string[];
  output_differences: ReplayOutputDifference[];
  /** Requests and TwiML that differ (absent from a server that does not compare them). */
  effect_differences?: ReplayEffectDifference[];
  effects_compared?: boolean;
  notes: string[];
}
