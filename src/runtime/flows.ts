// Flow management: every save is a new immutable revision; one published revision is live.
import type { FlowDefinition, ValidationIssue } from '../definition/types.ts';
import { validateDefinition } from '../definition/validate.ts';
import { linkedWidgetCountIssue, subflowTargets, type SubflowTarget } from '../definition/graph-checks.ts';
import type { FlowRecord, FlowStatus, RevisionRecord, RevisionSelector, Store } from './ports/store.ts';
import { invalidDefinition, notFound } from './errors.ts';
import { newSid } from './ids.ts';
import { retryOnConflict } from './conflicts.ts';

/** Tries of one update against concurrent ones: each lost try means another update was saved. */
const MAX_FLOW_UPDATE_ATTEMPTS = 100;

/** What to do with a definition that fails validation on create/update (Studio's behaviour is UNCONFIRMED). */
export type InvalidDefinitionPolicy = 'reject' | 'save-as-draft';

export interface FlowInput {
  friendlyName?: string | undefined;
  status: FlowStatus;
  definition?: unknown;
  commitMessage?: string | undefined;
  authorSid?: string | undefined;
}

export interface FlowUpdateInput extends FlowInput {
  /**
   * The revisions the caller's edit is based on (an If-Match header): the update is refused unless the
   * flow is still at one of them, so a save from a stale editor cannot silently replace a newer one.
   */
  expectedRevisions?: readonly number[] | undefined;
}

/** The flow moved on since the revision the caller edited (If-Match did not match). */
export class FlowRevisionConflict extends Error {
  readonly flowSid: string;
  readonly currentRevision: number;
  readonly expectedRevisions: readonly number[];
  constructor(flowSid: string, currentRevision: number, expectedRevisions: readonly number[]) {
    super(`Flow ${flowSid} is at revision ${currentRevision}, not ${expectedRevisions.join(' or ')}`);
    this.flowSid = flowSid;
    this.currentRevision = currentRevision;
    this.expectedRevisions = expectedRevisions;
  }
}

export interface FlowServiceOptions {
  now: () => number;
  invalidDefinitions: InvalidDefinitionPolicy;
  /** The release of Shopify's Liquid taken as Studio's (--liquid-version): the validator warns about what it lacks. */
  liquidVersion?: string;
}

export class FlowService {
  readonly #store: Store;
  readonly #options: FlowServiceOptions;

  constructor(store: Store, options: FlowServiceOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Validates a definition the way create/update will; never throws on bad input. */
  validate(definition: unknown): { valid: boolean; errors: ValidationIssue[]; warnings: ValidationIssue[] } {
    return validateDefinition(definition, { liquidVersion: this.#options.liquidVersion });
  }

  async create(accountSid: string, input: FlowInput & { friendlyName: string; definition: unknown }): Promise<FlowRecord> {
    const checked = await this.#check(accountSid, input.definition, input.status);
    const now = this.#options.now();
    const flow: FlowRecord = {
      sid: newSid('FW'),
      accountSid,
      friendlyName: input.friendlyName,
      status: input.status,
      revision: 1,
      publishedRevision: input.status === 'published' ? 1 : null,
      commitMessage: input.commitMessage ?? null,
      authorSid: input.authorSid ?? null,
      valid: checked.valid,
      errors: checked.errors,
      warnings: checked.warnings,
      dateCreated: now,
      dateUpdated: null,
    };
    await this.#store.createFlow(flow, revisionOf(flow, checked.definition, now));
    return flow;
  }

  /**
   * Saves the next revision. Concurrent updates of one flow (this node or others) each read the head
   * and number the next revision; the store refuses all but the first to save a number (or a flow
   * deleted meanwhile) as a version conflict, and the losers start again from a fresh read: every
   * update gets a revision of its own, in the order they were saved, or 404 once the flow is gone.
   * The expected revision is checked against the head each try reads: an update that lands between
   * the read and the save takes the number this one would save, so this one retries, reads the new
   * head and is refused. The check is as atomic as the revision numbering itself.
   */
  update(accountSid: string, flowSid: string, input: FlowUpdateInput): Promise<FlowRecord> {
    return retryOnConflict(['version'], () => this.#updateOnce(accountSid, flowSid, input), MAX_FLOW_UPDATE_ATTEMPTS);
  }

  async #updateOnce(accountSid: string, flowSid: string, input: FlowUpdateInput): Promise<FlowRecord> {
    const current = await this.#store.getFlow(accountSid, flowSid);
    if (!current) throw notFound(`/v2/Flows/${flowSid}`);
    if (input.expectedRevisions && !input.expectedRevisions.includes(current.revision)) {
      throw new FlowRevisionConflict(flowSid, current.revision, input.expectedRevisions);
    }
    let definitionInput = input.definition;
    if (definitionInput === undefined) {
      const head = await this.#store.getRevision(accountSid, flowSid, current.revision);
      // Gone between the two reads: deleted meanwhile (its revisions go with it).
      if (!head) throw notFound(`/v2/Flows/${flowSid}`);
      definitionInput = head.definition;
    }
    const checked = await this.#check(accountSid, definitionInput, input.status);
    const now = this.#options.now();
    const revision = current.revision + 1;
    const flow: FlowRecord = {
      ...current,
      friendlyName: input.friendlyName ?? current.friendlyName,
      status: input.status,
      revision,
      publishedRevision: input.status === 'published' ? revision : current.publishedRevision,
      commitMessage: input.commitMessage ?? null,
      authorSid: input.authorSid ?? current.authorSid,
      valid: checked.valid,
      errors: checked.errors,
      warnings: checked.warnings,
      dateUpdated: now,
    };
    await this.#store.saveFlowRevision(flow, revisionOf(flow, checked.definition, now));
    return flow;
  }

  async #check(accountSid: string, definition: unknown, status: FlowStatus) {
    const result = validateDefinition(definition, { liquidVersion: this.#options.liquidVersion });
    // A published revision is what live traffic runs, so it must always be valid.
    if (!result.valid && (status === 'published' || this.#options.invalidDefinitions === 'reject')) {
      throw invalidDefinition(result.errors);
    }
    // Studio's 2,000 widgets counting linked subflows (§1.5): a warning beside the other subflow rules.
    const linked = await this.#linkedWidgetCountIssue(accountSid, definition);
    const warnings = linked ? [...result.warnings, linked] : result.warnings;
    return { ...result, warnings, definition: definition as FlowDefinition };
  }

  /**
   * Counts each Run Subflow instance's widgets: the revision it names, the published one for
   * LatestPublished, and for LatestDraft/LatestRevision the larger of the published and the latest
   * revision (test users run the one, everyone else the other). One store read per (subflow, revision),
   * however many widgets run it.
   */
  async #linkedWidgetCountIssue(accountSid: string, definition: unknown) {
    const targets = subflowTargets(definition);
    if (targets.length === 0) return null;
    const loaded = new Map<string, Promise<number | undefined>>();
    const widgetsAt = (flowSid: string, selector: RevisionSelector) => {
      const key = `${flowSid}@${selector}`;
      let count = loaded.get(key);
      if (!count) {
        count = this.#store.getRevision(accountSid, flowSid, selector).then((r) => (Array.isArray(r?.definition.states) ? r.definition.states.length : undefined));
        loaded.set(key, count);
      }
      return count;
    };
    const sizes = new Map<string, number | undefined>();
    const keyOf = (t: SubflowTarget) => `${t.flowSid}@${t.revision}`;
    for (const target of targets) {
      const key = keyOf(target);
      if (sizes.has(key)) continue;
      // A number past the stores' INTEGER column names no revision: the store answers not found.
      if (/^\d+$/.test(target.revision)) sizes.set(key, await widgetsAt(target.flowSid, Number(target.revision)));
      else if (target.revision === 'LatestPublished') sizes.set(key, await widgetsAt(target.flowSid, 'LatestPublished'));
      else {
        const [published, latest] = await Promise.all([widgetsAt(target.flowSid, 'LatestPublished'), widgetsAt(target.flowSid, 'LatestRevision')]);
        sizes.set(key, published === undefined && latest === undefined ? undefined : Math.max(published ?? 0, latest ?? 0));
      }
    }
    return linkedWidgetCountIssue(definition, (t) => sizes.get(keyOf(t)));
  }
}

function revisionOf(flow: FlowRecord, definition: FlowDefinition, now: number): RevisionRecord {
  return {
    flowSid: flow.sid,
    accountSid: flow.accountSid,
    revision: flow.revision,
    friendlyName: flow.friendlyName,
    definition,
    status: flow.status,
    commitMessage: flow.commitMessage,
    authorSid: flow.authorSid,
    valid: flow.valid,
    errors: flow.errors,
    warnings: flow.warnings,
    dateCreated: now,
    dateUpdated: null,
  };
}
