// Per-widget specifications: allowed transition events, property descriptions and the JSON Schema of
// `properties`. One source feeds both the validator (schema) and a future console (edit forms), so the
// property table is the primary data and the schema is derived from it.
// Sources: studio-flow-language.md §1.3 (property JSON types), §2 (widget catalogue), §9 (events).

import { WIDGET_TYPES, type WidgetType } from './types.ts';

/** JSON types as JSON-Schema validators name them. `any` = no type constraint (shape unknown). */
export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'any';

export interface PropSpec {
  type: JsonType;
  description: string;
  required?: boolean;
  /** Required only while another property does not hold a given value (send-message `body` vs templates). */
  requiredUnless?: { property: string; equals: string };
  default?: unknown;
  /** Other JSON types seen in real exports for this property: accepted, reported as a warning. */
  alsoAccept?: JsonType[];
  /** false: Studio uses the string literally, so Liquid there is a mistake (warning). Strings default to true. */
  liquid?: boolean;
  /**
   * The values Studio takes (edit forms offer them). A literal outside them is a validation error (compared
   * case-insensitively unless `exactCase`; Liquid is not checked) unless `openOptions` says the list is only a suggestion.
   */
  options?: string[];
  /** `options` are taken only as written: another case is outside them (Fork Stream's lowercase `start`/`stop`). */
  exactCase?: boolean;
  /** `options` are suggestions, not the whole set (newer or free-form values exist): not enforced. */
  openOptions?: boolean;
  /** Range for edit forms; not enforced (a literal outside it is valid) unless `rangeWarning` is set. */
  min?: number;
  max?: number;
  /**
   * A literal number outside `min`..`max` is a validation warning, not an error (Studio's own exports may
   * hold one): the engine uses the default instead, with an 81028 alert (say-play/gather `loop`).
   */
  rangeWarning?: boolean;
  /**
   * The property's name in edit forms, where the description's words before its first ';', ':' or ' (' make
   * none (the console shows those words otherwise, the raw key beside them).
   */
  label?: string;
  /** Element spec for arrays. */
  items?: PropSpec;
  /** Member specs for objects. */
  properties?: Record<string, PropSpec>;
}

/** confirmed: in real exports or docs; legacy: deprecated but real; unconfirmed: §2 marks it UNCONFIRMED. */
export type WidgetStatus = 'confirmed' | 'legacy' | 'unconfirmed';

export interface WidgetSpec {
  type: WidgetType;
  label: string;
  status: WidgetStatus;
  /** Allowed transition `event` values (edit forms offer them). */
  events: readonly string[];
  /**
   * Other spellings of some of `events` (spelling → the event in `events`), where the name is UNCONFIRMED: the
   * validator accepts them too, the engine leaves by the spelling the flow uses, and forms show one slot for both.
   */
  eventSpellings: Readonly<Record<string, string>>;
  /** true when the widget's events are unknown: any non-empty event string is accepted. */
  openEvents: boolean;
  /**
   * The widget Studio's editor offers in this one's place (v1 of a widget whose v2 replaced it): flows that
   * use this type still validate and run, but an editor should not offer it for new widgets.
   */
  replacedBy?: WidgetType;
  properties: Record<string, PropSpec>;
  /** Draft-07 JSON Schema of the state's `properties` object (derived from `properties`). */
  schema: JsonSchema;
}

export type JsonSchema = { [key: string]: unknown };

// ---- helpers to keep the tables short ----------------------------------------------------------

type Extra = Omit<PropSpec, 'type' | 'description'>;
const str = (description: string, extra: Extra = {}): PropSpec => ({ type: 'string', description, ...extra });
const int = (description: string, extra: Extra = {}): PropSpec => ({ type: 'integer', description, ...extra });
const bool = (description: string, extra: Extra = {}): PropSpec => ({ type: 'boolean', description, ...extra });
const any = (description: string, extra: Extra = {}): PropSpec => ({ type: 'any', description, ...extra });
const req = { required: true } as const;

/** Arrays of `{key, value}` pairs (parameters, configurations, ...). Extra item keys such as `type` occur. */
const keyValues = (description: string, extra: Extra = {}): PropSpec => ({
  type: 'array',
  description,
  items: {
    type: 'object',
    description: 'A key/value pair',
    properties: {
      key: str('Name', { required: true }),
      // Values are Liquid strings; a bare number/boolean is tolerated (Studio coerces) with a warning.
      value: str('Value (Liquid)', { alsoAccept: ['number', 'integer', 'boolean'] }),
    },
  },
  ...extra,
});

const OFFSET: PropSpec = {
  type: 'object',
  description: 'Canvas position; no effect at run time',
  properties: { x: { type: 'number', description: 'x' }, y: { type: 'number', description: 'y' } },
};

const TRIM = ['trim-silence', 'do-not-trim'];
const HTTP_METHODS = ['GET', 'POST'];

/** Message widgets share most properties (§2.15, §2.16). */
const messageProps = (): Record<string, PropSpec> => ({
  body: str('Message text (Liquid); required unless a content template is used', {
    requiredUnless: { property: 'message_type', equals: 'content_template' },
  }),
  from: str('Sender: phone number, Messaging Service SID or chat identity', {
    required: true,
    default: '{{flow.channel.address}}',
  }),
  media_url: str('Media URL to attach'),
  service: str('Programmable Chat service', { default: '{{trigger.message.InstanceSid}}' }),
  channel: str('Programmable Chat channel', { default: '{{trigger.message.ChannelSid}}' }),
  attributes: str('Chat message attributes (JSON text)'),
  message_type: str('Message kind', { default: 'custom', options: ['custom', 'content_template'], liquid: false }),
  content_sid: str('Content API template SID (HX...)'),
  // UNCONFIRMED whether keys are "1" or "{{1}}": both are plain strings, so both pass.
  content_variables: keyValues('Content template variables'),
  shorten_urls: bool('Use Link Shortening', { default: false }),
});

// ---- the catalogue ---------------------------------------------------------------------------------

type Def = Omit<WidgetSpec, 'type' | 'schema' | 'openEvents' | 'properties' | 'eventSpellings'> & {
  openEvents?: boolean;
  eventSpellings?: Record<string, string>;
  properties?: Record<string, PropSpec>;
};

const DEFS: Record<WidgetType, Def> = {
  trigger: {
    label: 'Trigger (Start)',
    status: 'confirmed',
    // Three generations of exports: the first three, then incomingParent, then incomingConversationMessage.
    events: ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'],
  },
  'split-based-on': {
    label: 'Split Based On...',
    status: 'confirmed',
    events: ['noMatch', 'match'],
    properties: { input: str('Variable to test (Liquid)', req) },
  },
  'set-variables': {
    label: 'Set Variables',
    status: 'confirmed',
    events: ['next'],
    properties: {
      variables: {
        type: 'array',
        description: 'Variables stored at flow.variables.<key>',
        label: 'Variables',
        required: true,
        items: {
          type: 'object',
          description: 'A variable',
          properties: {
            key: str('Variable name (case-sensitive, no Liquid)', { required: true, liquid: false }),
            value: str('Value (Liquid)', { alsoAccept: ['number', 'integer', 'boolean'] }),
            index: str('Position (older Console exports)', { alsoAccept: ['integer'] }),
            type: str('Value type: json_object parses the value as JSON; anything else keeps it as rendered'),
          },
        },
      },
    },
  },
  'say-play': {
    label: 'Say/Play',
    status: 'confirmed',
    events: ['audioComplete'],
    properties: {
      say: str('Text to speak (Liquid, SSML)'),
      play: str('Audio URL to play'),
      digits: str('DTMF digits to play (0-9 A-D # * w W)'),
      voice: str('TTS voice'),
      language: str('TTS language', { default: 'en-US' }),
      loop: int('Times to repeat', { default: 1, min: 1, max: 99, rangeWarning: true }),
    },
  },
  'gather-input-on-call': {
    label: 'Gather Input On Call',
    status: 'confirmed',
    events: ['keypress', 'speech', 'timeout'],
    properties: {
      say: str('Prompt text (Liquid)'),
      play: str('Prompt audio URL'),
      voice: str('TTS voice', { default: 'alice' }),
      language: str('TTS language', { default: 'en-US' }),
      loop: int('Times to repeat the prompt', { default: 1, min: 1, max: 99, rangeWarning: true }),
      timeout: int('Seconds to wait for input', { default: 5, min: 0, max: 30 }),
      finish_on_key: str('Key that ends input', { default: '#' }),
      stop_gather: bool('Stop gathering on keypress', { default: true }),
      number_of_digits: int('Submit after this many digits', { min: 0, max: 30 }),
      speech_timeout: str('"auto" or seconds as a string', { label: 'Speech timeout', default: 'auto' }),
      gather_language: str('Speech recognition language', { default: 'en-US' }),
      hints: str('Comma-separated speech hints'),
      profanity_filter: str('Profanity filter ("true"/"false" as a string)', {
        default: 'true',
        options: ['true', 'false'],
      }),
      // Newer docs add provider models (e.g. deepgram-nova-2): the list is not the whole set.
      speech_model: str('Speech model', { options: ['default', 'numbers_and_commands', 'phone_call'], openOptions: true }),
    },
  },
  'connect-call-to': {
    label: 'Connect Call To',
    status: 'confirmed',
    events: ['callCompleted', 'hangup'],
    properties: {
      noun: str('What to connect to', {
        required: true,
        liquid: false,
        options: ['number', 'number-multi', 'client', 'conference', 'sim', 'sip'],
      }),
      to: str('Number(s), client identity, conference or SIM', { label: 'Connect to' }),
      caller_id: str('Caller ID', { required: true, default: '{{contact.channel.address}}' }),
      record: bool('Record the call', { default: false }),
      timeout: int('Ring timeout in seconds', { default: 30, min: 1, max: 600 }),
      time_limit: str('Maximum call length in seconds (string)'),
      sip_endpoint: str('SIP endpoint'),
      sip_username: str('SIP username'),
      sip_password: str('SIP password'),
    },
  },
  'make-outgoing-call-v2': {
    label: 'Make Outgoing Call',
    status: 'confirmed',
    events: ['answered', 'busy', 'noAnswer', 'failed'],
    properties: {
      to: str('Callee', { required: true, default: '{{contact.channel.address}}' }),
      from: str('Caller', { required: true, default: '{{flow.channel.address}}' }),
      record: bool('Record the call', { default: false }),
      recording_channels: str('Recording channels', { default: 'mono', options: ['mono', 'dual'] }),
      recording_status_callback: str('Recording status callback URL'),
      trim: str('Trim silence', { default: 'do-not-trim', options: TRIM }),
      detect_answering_machine: bool('Detect answering machines', { default: false }),
      machine_detection: str('Detection mode', { default: 'Enable', options: ['Enable', 'DetectMessageEnd'] }),
      machine_detection_timeout: str('Seconds (string)', { label: 'Machine detection timeout', default: '30' }),
      machine_detection_speech_threshold: str('Milliseconds (string)', { label: 'Speech threshold', default: '2400' }),
      machine_detection_speech_end_threshold: str('Milliseconds (string)', { label: 'Speech end threshold', default: '1200' }),
      machine_detection_silence_timeout: str('Milliseconds (string)', { label: 'Silence timeout', default: '5000' }),
      send_digits: str('DTMF to send on answer'),
      timeout: int('Ring time in seconds', { default: 60, min: 0, max: 600 }),
      sip_auth_username: str('SIP auth username'),
      sip_auth_password: str('SIP auth password'),
    },
  },
  'make-outgoing-call-v1': {
    label: 'Make Outgoing Call v1 (legacy)',
    status: 'unconfirmed',
    replacedBy: 'make-outgoing-call-v2',
    // UNCONFIRMED (§2.7, §9): a secondary source spells answeredByMachine, noAnswer and hangup, the docs
    // answered-by-machine and no-answer. Every spelling is accepted; the engine leaves by the one the flow uses.
    events: ['answered', 'answeredByMachine', 'busy', 'noAnswer', 'failed', 'hangup'],
    eventSpellings: { 'answered-by-machine': 'answeredByMachine', 'no-answer': 'noAnswer' },
    properties: {
      // Required as v2's are (the engine needs both); the same Console defaults.
      from: str('Caller', { required: true, default: '{{flow.channel.address}}' }),
      to: str('Callee', { required: true, default: '{{contact.channel.address}}' }),
      record: bool('Record the call', { default: false }),
      timeout: int('Ring time in seconds', { default: 60, min: 0, max: 600 }),
    },
  },
  'record-voicemail': {
    label: 'Record Voicemail',
    status: 'confirmed',
    events: ['recordingComplete', 'noAudio', 'hangup'],
    properties: {
      timeout: int('Seconds of silence that end the recording', { default: 5 }),
      finish_on_key: str('Key that ends the recording'),
      max_length: int('Maximum length in seconds', { default: 3600, min: 1, max: 14400 }),
      transcribe: bool('Transcribe the recording', { default: false }),
      transcription_callback_url: str('Transcription callback URL'),
      trim: str('Trim silence', { default: 'trim-silence', options: TRIM }),
      play_beep: str('Play a beep ("true"/"false" as a string)', { default: 'true', options: ['true', 'false'] }),
      recording_status_callback_url: str('Recording status callback URL'),
    },
  },
  'record-call': {
    label: 'Call Recording',
    status: 'confirmed',
    events: ['success', 'failed'],
    properties: {
      record_call: bool('true starts, false stops recording', { label: 'Record the call', required: true, default: false }),
      recording_status_callback: str('Recording status callback URL'),
      recording_status_callback_method: str('Callback method', { default: 'POST', options: HTTP_METHODS }),
      recording_status_callback_events: str('Space-separated: in-progress completed absent', {
        label: 'Recording status callback events',
        default: 'completed',
      }),
      recording_channels: str('Recording channels', { default: 'dual', options: ['mono', 'dual'] }),
      trim: str('Trim silence', { default: 'do-not-trim', options: TRIM }),
    },
  },
  'enqueue-call': {
    label: 'Enqueue Call',
    status: 'confirmed',
    events: ['callComplete', 'failedToEnqueue', 'callFailure'],
    properties: {
      queue_name: str('Queue name (created on demand)'),
      workflow_sid: str('TaskRouter workflow SID (WW...)'),
      task_attributes: str('Task attributes (JSON text)'),
      priority: int('Task priority', { default: 0 }),
      timeout: int('Task timeout in seconds'),
      wait_url: str('Hold music TwiML URL'),
      wait_url_method: str('Wait URL method', { default: 'GET', options: HTTP_METHODS }),
    },
  },
  'send-to-flex': {
    label: 'Send to Flex',
    status: 'confirmed',
    // composerStarted is UNCONFIRMED (one secondary source); accepted.
    events: ['callComplete', 'failedToEnqueue', 'callFailure', 'composerStarted'],
    properties: {
      workflow: str('TaskRouter workflow SID (WW...)', req),
      channel: str('Task channel SID (TC...)', req),
      attributes: str('Task attributes (JSON text with Liquid)'),
      priority: str('Task priority (string)', { default: '0' }),
      timeout: str('Task timeout in seconds (string)', { default: '3600', max: 1209600 }),
      waitUrl: str('Hold music URL'),
      waitUrlMethod: str('Hold music URL method', { options: HTTP_METHODS }),
    },
  },
  'capture-payments': {
    label: 'Capture Payments',
    status: 'confirmed',
    events: ['success', 'maxFailedAttempts', 'providerError', 'payInterrupted', 'hangup', 'validationError'],
    properties: {
      payment_connector: str('Pay connector unique name'),
      payment_token_type: str('Token type', { default: 'reusable', options: ['one-time', 'reusable'] }),
      payment_amount: str('Amount to charge'),
      currency: str('Currency', { default: 'usd' }),
      description: str('Description'),
      language: str('Prompt language'),
      timeout: int('Seconds between digits', { default: 5 }),
      max_attempts: int('Maximum attempts', { default: 2 }),
      security_code: bool('Ask for the security code', { default: true }),
      postal_code: str('Ask for the postal code ("true"/"false") or a literal postal code', { default: 'true' }),
      min_postal_code_length: int('Minimum postal code length'),
      valid_card_types: { type: 'array', description: 'Accepted card types', items: str('Card type') },
      payment_method: str('Payment method', { options: ['CREDIT_CARD', 'ACH_DEBIT'] }),
      bank_account_type: str('Bank account type', {
        options: ['COMMERCIAL_CHECKING', 'COMMERCIAL_SAVINGS', 'CONSUMER_CHECKING', 'CONSUMER_SAVINGS'],
      }),
      parameters: keyValues('Parameters passed to the connector'),
    },
  },
  'fork-stream': {
    label: 'Fork Stream',
    status: 'confirmed',
    events: ['next'],
    properties: {
      stream_action: str('start or stop', { label: 'Stream action', required: true, liquid: false, options: ['start', 'stop'], exactCase: true }),
      stream_name: str('Stream name'),
      stream_transport_type: str('Transport', { options: ['websocket', 'siprec'] }),
      stream_url: str('WebSocket URL (wss://)'),
      stream_connector: str('SIPREC connector name'),
      stream_track: str('Tracks', { options: ['inbound_track', 'outbound_track', 'both_tracks'] }),
      stream_parameters: keyValues('Custom stream parameters'),
    },
  },
  'connect-virtual-agent': {
    label: 'Connect Virtual Agent (legacy)',
    status: 'legacy',
    events: ['return', 'hangup'],
    properties: {
      connector: str('Connector name', req),
      language: str('Language'),
      sentiment_analysis: str('"true"/"false" as a string', { label: 'Sentiment analysis', options: ['true', 'false'] }),
      status_callback: str('Status callback URL'),
    },
  },
  'connect-virtual-agent-v2': {
    label: 'Connect Virtual Agent',
    status: 'confirmed',
    events: ['completed', 'live-agent-handoff', 'hangup', 'failed', 'paused', 'timeout'],
    properties: {
      connector_name: str('Dialogflow CX connector name'),
      channel: str('Channel', { default: 'voice', options: ['voice', 'conversations'] }),
      configurations: keyValues('Configuration overrides (voice only)'),
      parameters: keyValues('Parameters'),
      status_callback: str('Status callback URL'),
      status_callback_method: str('Status callback method', { default: 'POST', options: HTTP_METHODS }),
      // JSON type UNCONFIRMED: accept a string or an integer.
      timeout: str('Conversations reply timeout', { alsoAccept: ['integer'] }),
      session_behavior: str('New or resumed session'),
      resume_session_identification_method: str('How a resumed session is identified'),
      resume_session_identification_value: str('Value identifying the session to resume'),
      resume_session_event_name: str('Event sent on resume'),
      connector_details: any('Connector details'),
    },
  },
  'send-message': {
    label: 'Send Message',
    status: 'confirmed',
    events: ['sent', 'failed'],
    properties: {
      ...messageProps(),
      to: str('Recipient', { required: true, default: '{{contact.channel.address}}' }),
    },
  },
  'send-and-wait-for-reply': {
    label: 'Send & Wait For Reply',
    status: 'confirmed',
    events: ['incomingMessage', 'timeout', 'deliveryFailure'],
    properties: {
      ...messageProps(),
      // Typed string, but Console exports hold integers too (§1.3): integer accepted with a warning.
      timeout: str('Seconds to wait for a reply (string)', { default: '3600', alsoAccept: ['integer'] }),
      to: str('Recipient: not used, the question always goes to the contact (exports omit it)'),
    },
  },
  'run-function': {
    label: 'Run Function',
    status: 'confirmed',
    events: ['success', 'fail'],
    properties: {
      url: str('Function URL', req),
      service_sid: str('Serverless service SID (ZS...)'),
      environment_sid: str('Serverless environment SID (ZE...)'),
      function_sid: str('Function SID (ZH...)'),
      parameters: keyValues('Parameters passed in the Function event'),
    },
  },
  'make-http-request': {
    label: 'Make HTTP Request',
    status: 'confirmed',
    events: ['success', 'failed'],
    properties: {
      method: str('HTTP method', { required: true, default: 'GET', options: HTTP_METHODS, liquid: false }),
      url: str('Request URL (Liquid)', req),
      // Exports spell these several ways (with and without ;charset=utf-8): suggestions only.
      content_type: str('Request content type', {
        required: true,
        default: 'application/x-www-form-urlencoded;charset=utf-8',
        options: ['application/x-www-form-urlencoded;charset=utf-8', 'application/json;charset=utf-8', 'application/json'],
        openOptions: true,
        liquid: false,
      }),
      body: str('Request body (Liquid)'),
      parameters: keyValues('HTTP parameters'),
      add_twilio_auth: bool('Authenticate with Twilio', { default: false }),
    },
  },
  'add-twiml-redirect': {
    label: 'TwiML Redirect',
    status: 'confirmed',
    events: ['return', 'timeout', 'fail'],
    properties: {
      url: str('TwiML URL', req),
      method: str('Redirect method', { default: 'POST', options: HTTP_METHODS }),
      timeout: str('Seconds to wait for control to return (string)', { default: '14400', min: 0, max: 14400 }),
    },
  },
  'run-subflow': {
    label: 'Run Subflow',
    status: 'confirmed',
    events: ['completed', 'failed'],
    properties: {
      flow_sid: str('Subflow SID (literal FW..., no Liquid)', { required: true, liquid: false }),
      // The draft spelling is UNCONFIRMED: LatestDraft and LatestRevision are both accepted.
      flow_revision: str('Revision number, LatestPublished, LatestRevision or LatestDraft', {
        label: 'Revision',
        required: true,
        default: 'LatestPublished',
        liquid: false,
        alsoAccept: ['integer'],
        // A revision number is also valid (checked with the selectors by the validator's subflow check).
        options: ['LatestPublished', 'LatestRevision', 'LatestDraft'],
        openOptions: true,
      }),
      parameters: keyValues('Parameters (trigger.parent.parameters.<key>)'),
    },
  },
  'send-to-auto-pilot': {
    label: 'Send to Autopilot (retired)',
    status: 'legacy',
    events: ['sessionEnded', 'failure', 'timeout'],
    properties: {
      autopilot_assistant_sid: str('Assistant SID (UA...)', req),
      from: str('Sender', req),
      body: str('Message body', { required: true, default: '{{trigger.message.Body}}' }),
      timeout: int('Session timeout in seconds', { required: true, default: 14400 }),
      chat_service: str('Chat service'),
      chat_channel: str('Chat channel'),
      chat_attributes: str('Chat attributes'),
      target_task: str('Target task'),
      memory_parameters: keyValues('Memory parameters'),
    },
  },
  'add-member-to-chat-channel': {
    label: 'Add Member to Chat Channel (legacy)',
    status: 'unconfirmed',
    events: [],
    openEvents: true,
  },
  'create-chat-channel': {
    label: 'Create Chat Channel (legacy)',
    status: 'unconfirmed',
    events: [],
    openEvents: true,
  },
  'start-conversation': {
    label: 'Start Conversation',
    status: 'unconfirmed',
    events: ['created', 'failed'],
    properties: {
      conversation_service_sid: str('Conversations service SID (IS...)', req),
      participants: { type: 'array', description: 'Participants', required: true, items: any('Participant') },
      friendly_name: str('Conversation friendly name'),
      attributes: str('Conversation attributes (JSON text)'),
      chat_service_sid: str('Chat service SID'),
      messaging_service_sid: str('Messaging service SID'),
      timers: any('Conversation timers'),
      timers_inactive: str('Inactive timer'),
      timers_closed: str('Closed timer'),
      close_conversation_on_execution_end: bool('Close the conversation when the execution ends'),
    },
  },
  'resume-conversation': {
    label: 'Resume Conversation',
    status: 'unconfirmed',
    events: ['resumed', 'failed'],
    properties: {
      conversation_service_sid: str('Conversations service SID (IS...)', req),
      // Not required in the reference (§2.22); without it the widget takes `failed` (20404) at run time.
      conversation_sid: str('Conversation SID (CH...) of the conversation to resume'),
      webhook_filters: any('Webhook filters: event names besides onMessageAdded (a list, or one string separated by commas)'),
      attributes: str('Conversation attributes to set (JSON text)'),
    },
  },
  'run-conversation-relay': {
    label: 'Run ConversationRelay',
    status: 'unconfirmed',
    events: ['success', 'failed'],
    properties: {
      // The widget cannot run without it (the session's WebSocket).
      url: str('WebSocket URL (wss://)', req),
      welcome_greeting: str('Welcome greeting'),
      tts_provider: str('TTS provider'),
      voice: str('Voice'),
      language: str('Language'),
      transcription_provider: str('Transcription provider'),
      speech_model: str('Speech model'),
      dtmf_detection: any('DTMF detection'),
      // ConversationRelay's values: none, dtmf, speech, any; true/false (any/none) as older flows hold.
      interruptible: str('What may interrupt the greeting and replies: "true"/"false", or none, dtmf, speech, any', {
        options: ['true', 'false', 'none', 'dtmf', 'speech', 'any'],
      }),
      parameters: keyValues('Custom parameters'),
    },
  },
  'run-model-inference': {
    label: 'Run Model Inference',
    status: 'unconfirmed',
    events: [],
    openEvents: true,
    properties: { primitive_sid: str('Intelligence primitive SID') },
  },
};

// ---- schema derivation --------------------------------------------------------------------------

/** JSON Schema for one property spec. `alsoAccept` types are part of the schema (they are not errors). */
export function propSchema(spec: PropSpec): JsonSchema {
  const schema: JsonSchema = { description: spec.description };
  if (spec.type !== 'any') {
    const types = [spec.type, ...(spec.alsoAccept ?? [])];
    schema.type = types.length === 1 ? types[0] : types;
  }
  if (spec.default !== undefined) schema.default = spec.default;
  if (spec.items) schema.items = propSchema(spec.items);
  if (spec.properties) Object.assign(schema, objectSchema(spec.properties, spec.description));
  return schema;
}

function objectSchema(props: Record<string, PropSpec>, description: string): JsonSchema {
  const required = Object.keys(props).filter((k) => props[k].required);
  const conditional = Object.entries(props).filter(([, p]) => p.requiredUnless);
  const schema: JsonSchema = {
    type: 'object',
    description,
    properties: Object.fromEntries(Object.entries(props).map(([k, p]) => [k, propSchema(p)])),
    // Exports carry keys nobody documented; unknown keys are never an error.
    additionalProperties: true,
  };
  if (required.length) schema.required = required;
  if (conditional.length) {
    schema.allOf = conditional.map(([k, p]) => ({
      if: { not: { properties: { [p.requiredUnless!.property]: { const: p.requiredUnless!.equals } },
        required: [p.requiredUnless!.property] } },
      then: { required: [k] },
    }));
  }
  return schema;
}

function build(type: WidgetType, def: Def): WidgetSpec {
  const properties: Record<string, PropSpec> = { ...(def.properties ?? {}), offset: OFFSET };
  return {
    type,
    label: def.label,
    status: def.status,
    events: def.events,
    eventSpellings: def.eventSpellings ?? {},
    openEvents: def.openEvents ?? false,
    ...(def.replacedBy ? { replacedBy: def.replacedBy } : {}),
    properties,
    schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `https://switchboard.local/schemas/widgets/${type}.json`,
      title: `${def.label} (${type}) properties`,
      ...objectSchema(properties, `Properties of a ${type} widget`),
    },
  };
}

export const WIDGET_SPECS: Record<WidgetType, WidgetSpec> = Object.fromEntries(
  WIDGET_TYPES.map((t) => [t, build(t, DEFS[t])]),
) as Record<WidgetType, WidgetSpec>;

/**
 * The widget types an editor offers for new widgets: not the Trigger (one per flow), not retired or deprecated
 * types, not a version another one replaced. Existing widgets of the others stay editable.
 */
export const NEW_WIDGET_TYPES: readonly WidgetType[] = WIDGET_TYPES.filter(
  (t) => t !== 'trigger' && WIDGET_SPECS[t].status !== 'legacy' && !WIDGET_SPECS[t].replacedBy,
);

/** The event a transition's `event` stands for in `spec.events`: itself, or the one it is another spelling of. */
export function canonicalEvent(spec: WidgetSpec, event: string): string {
  return Object.hasOwn(spec.eventSpellings, event) ? spec.eventSpellings[event]! : event;
}

export function isWidgetType(value: unknown): value is WidgetType {
  return typeof value === 'string' && (WIDGET_TYPES as readonly string[]).includes(value);
}

/** Split-based-on condition operators (§3.2). */
export const SPLIT_OPERATORS = [
  'equal_to',
  'not_equal_to',
  'matches_any_of',
  'does_not_match_any_of',
  'is_blank',
  'is_not_blank',
  'regex',
  'contains',
  'does_not_contain',
  'starts_with',
  'does_not_start_with',
  'less_than',
  'greater_than',
  'is_before_time',
  'is_after_time',
  'is_before_date',
  'is_after_date',
] as const;

/** Type strings people guess that do not exist (doc slugs / titles), with the real one (§2.0). */
export const TYPE_ALIASES: Record<string, WidgetType> = {
  'http-request': 'make-http-request',
  'twiml-redirect': 'add-twiml-redirect',
  'call-recording': 'record-call',
  'send-to-autopilot': 'send-to-auto-pilot',
  'make-outgoing-call': 'make-outgoing-call-v2',
  'send-wait-reply': 'send-and-wait-for-reply',
  'gather-input-call': 'gather-input-on-call',
};
