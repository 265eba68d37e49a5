// The TaskRouter calls send-to-flex makes on the upstream account: create a task in the Flex
// workspace (POST /v1/Workspaces/{WS}/Tasks, form fields in twilio-node's wire order), or for a
// Conversations execution a Flex Interaction (POST flex-api /v1/Interactions) whose routing makes
// the task (the Interaction shape follows Flex's docs; UNCONFIRMED in the reference), and, when the
// account did not name its workspace, find the one that holds the flow's workflow. It rides on
// TwilioRestClient, so auth, the outbound policy and the retry rule (only 429/503 and connections
// never made, which surely did not create a task) are the Messages client's.
import { parseJsonWithinDepth } from '../../lib/json-depth.ts';
import type { FlexTaskRequest, JsonObject } from '../../engine/types.ts';
import { DEFAULT_FLEX_API_BASE_URL, DEFAULT_TASKROUTER_BASE_URL, type TwilioUpstream } from './carrier-config.ts';
import { TwilioRestClient, type CreateOutcome, type FormParams, type RestClientOptions } from './rest-client.ts';

/** The TaskRouter Tasks form for a hand-off (Timeout, Priority, TaskChannel, WorkflowSid, Attributes). */
export function taskParams(task: FlexTaskRequest): FormParams {
  return [
    ['Timeout', String(task.timeout)],
    ['Priority', String(task.priority)],
    ['TaskChannel', task.taskChannel],
    ['WorkflowSid', task.workflowSid],
    ['Attributes', task.attributes],
  ];
}

/** What the Interactions API needs to route a conversation to Flex (see interactionParams). */
export interface InteractionRequest {
  conversationSid: string;
  /** Interaction channel type: sms, whatsapp, chat, … */
  channelType: string;
  workspaceSid: string;
  task: FlexTaskRequest;
}

/**
 * The Interactions form (Channel, Routing as JSON): the conversation is the media channel and the
 * routing properties become the TaskRouter task, attributes included "as is" (Flex's docs).
 */
export function interactionParams(request: InteractionRequest): FormParams {
  // Attributes that are not JSON (or nested too deep to re-encode, src/lib/json-depth.ts) are sent as {}.
  const parsed = parseJsonWithinDepth(request.task.attributes);
  const attributes = parsed.ok ? parsed.value : {};
  const channelKey = /^TC[0-9a-fA-F]{32}$/.test(request.task.taskChannel) ? 'task_channel_sid' : 'task_channel_unique_name';
  return [
    ['Channel', JSON.stringify({ type: request.channelType, initiated_by: 'customer', properties: { media_channel_sid: request.conversationSid } })],
    [
      'Routing',
      JSON.stringify({
        properties: {
          workspace_sid: request.workspaceSid,
          workflow_sid: request.task.workflowSid,
          [channelKey]: request.task.taskChannel,
          attributes,
          priority: request.task.priority,
          timeout: request.task.timeout,
        },
      }),
    ],
  ];
}

export type WorkspaceLookup = { ok: true; workspaceSid: string } | { ok: false; code: number; message: string };

export class TaskRouterClient {
  readonly #rest: TwilioRestClient;
  readonly #base: string;
  readonly #flexBase: string;

  constructor(upstream: TwilioUpstream, options: Partial<RestClientOptions> = {}) {
    this.#rest = new TwilioRestClient(upstream, options);
    this.#base = (upstream.taskrouterBaseUrl ?? DEFAULT_TASKROUTER_BASE_URL).replace(/\/+$/, '');
    this.#flexBase = (upstream.flexApiBaseUrl ?? DEFAULT_FLEX_API_BASE_URL).replace(/\/+$/, '');
  }

  /** POST /v1/Workspaces/{WS}/Tasks */
  createTask(workspaceSid: string, task: FlexTaskRequest): Promise<CreateOutcome> {
    return this.#rest.createAt(`${this.#base}/v1/Workspaces/${encodeURIComponent(workspaceSid)}/Tasks`, taskParams(task));
  }

  /** POST {flex-api}/v1/Interactions: the conversation and its task, as Studio does for Conversations. */
  createInteraction(request: InteractionRequest): Promise<CreateOutcome> {
    return this.#rest.createAt(`${this.#flexBase}/v1/Interactions`, interactionParams(request));
  }

  /**
   * The workspace that holds `workflowSid`: a Flex account has one workspace, so a single one is
   * taken as it is; with several, each is asked for the workflow (GET …/Workflows/{WW}).
   */
  async workspaceFor(workflowSid: string): Promise<WorkspaceLookup> {
    const listing = await this.#rest.getJsonAt(`${this.#base}/v1/Workspaces?PageSize=50`);
    const workspaces = listing && Array.isArray(listing.workspaces) ? (listing.workspaces as JsonObject[]) : null;
    if (!workspaces) return { ok: false, code: 20500, message: 'Could not list the TaskRouter workspaces of the upstream account' };
    const sids = workspaces.map((workspace) => workspace.sid).filter((sid): sid is string => typeof sid === 'string');
    if (sids.length === 1) return { ok: true, workspaceSid: sids[0]! };
    for (const sid of sids) {
      const workflow = await this.#rest.getJsonAt(`${this.#base}/v1/Workspaces/${encodeURIComponent(sid)}/Workflows/${encodeURIComponent(workflowSid)}`);
      if (workflow && workflow.sid === workflowSid) return { ok: true, workspaceSid: sid };
    }
    return { ok: false, code: 20404, message: `No TaskRouter workspace of the upstream account has workflow ${workflowSid}` };
  }
}
