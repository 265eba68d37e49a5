// The storage port. The runtime and API depend on this interface only; SQLite and PostgreSQL
// backends implement it (src/store/*) and share one conformance suite. Every method that
// resolves has made its writes durable: callers answer 2xx only after it resolves.
import type { FlowDefinition, ValidationIssue } from '../../definition/types.ts';

export type Millis = number;

export interface Account {
  sid: string;
  authToken: string;
  friendlyName: string;
  dateCreated: Millis;
  /**
   * The key the callback tokens on a call's URLs are signed with (call-tokens.ts): random for a new
   * account, the auth token it then had for an account older than schema migration 12. Rotating the
   * auth token leaves it, so the URLs live calls were given keep working.
   */
  callbackSecret: string;
  /**
   * The callback secret a rotation replaced (rotateCallbackSecret), still accepted for the tokens live
   * calls hold until `until`; absent when there is none or it was dropped at once.
   */
  previousCallbackSecret?: { secret: string; until: Millis } | undefined;
}

/** An account to create; without a callback secret its auth token is taken as it (tests, older callers). */
export type NewAccount = Omit<Account, 'callbackSecret'> & { callbackSecret?: string | undefined };

export interface ApiKey {
  sid: string;
  accountSid: string;
  friendlyName: string;
  /** sha256 of the secret, hex; the secret itself is shown once at creation and never stored. */
  secretHash: string;
  dateCreated: Millis;
}

export type FlowStatus = 'draft' | 'published';

export interface FlowRecord {
  sid: string;
  accountSid: string;
  friendlyName: string;
  status: FlowStatus;
  /** Number of the latest revision. */
  revision: number;
  /** Number of the latest published revision, if any: what live traffic runs. */
  publishedRevision: number | null;
  commitMessage: string | null;
  authorSid: string | null;
  valid: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  dateCreated: Millis;
  dateUpdated: Millis | null;
}

/** Immutable once written. */
export interface RevisionRecord {
  flowSid: string;
  accountSid: string;
  revision: number;
  friendlyName: string;
  definition: FlowDefinition;
  status: FlowStatus;
  commitMessage: string | null;
  authorSid: string | null;
  valid: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  dateCreated: Millis;
  dateUpdated: Millis | null;
}

/**
 * A flow as its lists show it (listFlows): the head without its validation report, which a list shows
 * as null and which can be as large as the definition it describes. Read a FlowRecord with getFlow.
 */
export type FlowListItem = Omit<FlowRecord, 'valid' | 'errors' | 'warnings'>;

/**
 * A revision as its list shows it (listRevisions): no definition and no validation report (a list
 * shows them as null), so a page never reads or parses them. Read a RevisionRecord with getRevision.
 */
export type RevisionListItem = Omit<RevisionRecord, 'definition' | 'valid' | 'errors' | 'warnings'>;

/** Keyset cursor: list rows strictly after (older than) or before (newer than) a position. */
export interface PageRequest {
  pageSize: number;
  cursor?: { direction: 'after' | 'before'; position: string } | undefined;
  /** Offset paging for `Page=N` without a token. */
  offset?: number | undefined;
}

export interface PageResult<T> {
  items: T[];
  /** Opaque positions of the first and last item, used to build PageTokens. */
  firstPosition: string | null;
  lastPosition: string | null;
  hasMore: boolean;
}

export type RevisionSelector = number | 'LatestPublished' | 'LatestRevision';

export interface FlowStore {
  /**
   * Writes a new flow with its first revision, in one transaction that also checks its account exists
   * (and, on PostgreSQL, holds it until the commit): a request that raced the account's deletion fails
   * with AccountGoneError and leaves nothing behind.
   */
  createFlow(flow: FlowRecord, revision: RevisionRecord): Promise<void>;
  /** Writes a new revision and the flow's new head in one transaction, checking the account as createFlow does. */
  saveFlowRevision(flow: FlowRecord, revision: RevisionRecord): Promise<void>;
  getFlow(accountSid: string, flowSid: string): Promise<FlowRecord | null>;
  listFlows(accountSid: string, page: PageRequest): Promise<PageResult<FlowListItem>>;
  deleteFlow(accountSid: string, flowSid: string): Promise<boolean>;
  getRevision(accountSid: string, flowSid: string, selector: RevisionSelector): Promise<RevisionRecord | null>;
  listRevisions(accountSid: string, flowSid: string, page: PageRequest): Promise<PageResult<RevisionListItem>>;
  getTestUsers(accountSid: string, flowSid: string): Promise<string[] | null>;
  setTestUsers(accountSid: string, flowSid: string, users: string[]): Promise<boolean>;
}

export interface AccountStore {
  createAccount(account: NewAccount): Promise<void>;
  getAccount(sid: string): Promise<Account | null>;
  /** A new auth token; the callback secret stays as it is. */
  updateAccountToken(sid: string, authToken: string): Promise<void>;
  /**
   * A new callback secret, in one write: with `graceUntil`, the one it replaces (the auth token when it
   * was empty) becomes previousCallbackSecret until then, replacing an earlier previous one; with
   * null, no previous secret is kept. False when there is no such account.
   */
  rotateCallbackSecret(sid: string, callbackSecret: string, graceUntil: Millis | null): Promise<boolean>;
  listAccounts(): Promise<Account[]>;
  createApiKey(key: ApiKey): Promise<void>;
  getApiKey(sid: string): Promise<ApiKey | null>;
  /** Revokes a key: false when there is none. */
  deleteApiKey(sid: string): Promise<boolean>;
  /**
   * Deletes an account and everything it owns, in one transaction: its API keys, flows (with their
   * revisions, executions and what hangs off them), alerts, inbound receipts, its channel records and
   * the settings keyed `<name>:<AccountSid>` (its carrier configuration). Every row naming the account
   * goes, even when the account row itself is already gone (what a request that raced an earlier
   * deletion wrote): then `leftoversOnly` is set. Null when there was neither the account nor anything
   * of it; otherwise how many keys and flows went with it.
   */
  deleteAccount(sid: string): Promise<AccountDeletion | null>;
  /** A small key/value table for server settings such as the dev account. */
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
  /**
   * Writes the account's own setting `<name>:<accountSid>` (its carrier configuration), in one
   * transaction that checks the account exists, as createFlow does: AccountGoneError when it does not.
   * deleteAccount takes these settings with the account.
   */
  setAccountSetting(accountSid: string, name: string, value: string): Promise<void>;
}

/** The key of an account's own setting `name` (setAccountSetting): deleteAccount takes every `%:<AccountSid>`. */
export function accountSettingKey(accountSid: string, name: string): string {
  return `${name}:${accountSid}`;
}

/** What deleteAccount deleted. */
export interface AccountDeletion {
  apiKeys: number;
  flows: number;
  /** The account row was gone already: only rows a request that raced its deletion left behind went. */
  leftoversOnly?: true;
}

/**
 * A write for an account that no longer exists: a request that passed authentication (a node's read
 * cache still held the account) raced the account's deletion. Nothing was written; the API answers
 * 401 (20003) as it does to the deleted account's credentials.
 */
export class AccountGoneError extends Error {
  readonly accountSid: string;
  constructor(accountSid: string) {
    super(`account ${accountSid} does not exist (deleted meanwhile?)`);
    this.name = 'AccountGoneError';
    this.accountSid = accountSid;
  }
}

/**
 * A channel's record of an execution's outbound work: the carrier's send ledger (in-flight sends, the
 * message SIDs they claimed, delivery reports). Unlike settings, each names its account and execution:
 * it goes with either, and once its execution is no longer active it is pruned a retention after its
 * last write (pruneHistory's `channelRecords`).
 */
export interface ChannelRecord {
  key: string;
  accountSid: string;
  executionSid: string;
  value: string;
  updatedAt: Millis;
}

/** How a channel record is put. */
export interface ChannelRecordWrite {
  /**
   * Not written back once its execution was deleted: the record under its key (if there is one) is
   * replaced, and otherwise one is written only while its execution exists, checked in the same
   * transaction. A delete of the execution (its flow, its account) takes its records, so a send that
   * completes after one leaves no record of the recipient and body behind.
   */
  unlessDeleted?: boolean | undefined;
}

export interface ChannelRecordStore {
  getChannelRecord(key: string): Promise<ChannelRecord | null>;
  /** Writes (or replaces) the record under its key. */
  putChannelRecord(record: ChannelRecord, options?: ChannelRecordWrite): Promise<void>;
  /** Writes the record only if none is under its key yet, atomically across nodes; whether it did. */
  insertChannelRecord(record: ChannelRecord): Promise<boolean>;
  /** Whether there was one. */
  deleteChannelRecord(key: string): Promise<boolean>;
  /** Records whose key starts with `prefix`, in key order, those after the key `after` only; at most `limit`. */
  listChannelRecords(prefix: string, limit: number, after?: string): Promise<ChannelRecord[]>;
}

export interface Store extends AccountStore, FlowStore, ExecutionStore, ClusterStore, ChannelRecordStore {
  readonly kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
  /** Schema migrations applied vs. this build's count, for /readyz; backends that migrate on open may omit it. */
  schemaStatus?(): Promise<{ applied: number; expected: number }>;
  /** One round trip to the database, past any cache (readiness probes). */
  ping?(): Promise<void>;
  /** Active executions across every node, in total and by what they wait for ('reply', 'effect', 'subflow'), for /metrics. */
  countActiveExecutions?(): Promise<{ active: number; waiting: Record<string, number> }>;
  /**
   * How many executions created before `createdBefore` are active: one count off the active rows'
   * index, no state read. The embedded store's start-up seed for this node's own running count.
   */
  countActiveExecutionsBefore?(createdBefore: Millis): Promise<number>;
}

// ---- executions (issue: flow engine)

export type ExecutionStatus = 'active' | 'ended';

export interface ExecutionRecord {
  sid: string;
  accountSid: string;
  flowSid: string;
  /** Flow revision the execution runs (flow_version). */
  flowVersion: number;
  contactSid: string;
  contactChannelAddress: string;
  channelAddress: string;
  status: ExecutionStatus;
  initiatedBy: string;
  /**
   * The engine's ExecutionState, stored whole as JSON. The context the API shows ({flow, trigger,
   * widgets, contact}) is derived from it on read (engine/context.ts), never stored beside it: a
   * second copy cost a serialisation per sprint and a fifth of every row.
   */
  state: unknown;
  dateCreated: Millis;
  dateUpdated: Millis | null;
}

/**
 * What the console's execution list shows of an execution besides its resource (how it ended, the widget it
 * waits at), read out of its stored state by the database: the state is up to the context limit (5 MiB by
 * default) and only these few fields of it are wanted.
 */
export interface ExecutionStanding {
  sid: string;
  status: ExecutionStatus;
  /** The state's endReason as stored; null when it has none. */
  endReason: unknown;
  /** Each of the state's frames' `current` and `parentWidget` (null when absent), outermost first; null when `frames` is not a list. */
  frames: { current: unknown; parentWidget: unknown }[] | null;
}

/**
 * What moves with every write of an execution, read without its state (up to the context limit): a
 * console stream polls it, and reads the execution and its steps only once it has moved.
 */
export interface ExecutionStamp {
  status: ExecutionStatus;
  /** The row's version (VersionedExecution.version): bumped by every sprint, which writes its steps with it. */
  version: number;
}

export interface StepRecord {
  sid: string;
  accountSid: string;
  flowSid: string;
  executionSid: string;
  parentStepSid: string | null;
  name: string;
  context: Record<string, unknown>;
  transitionedFrom: string;
  transitionedTo: string;
  type: string;
  dateCreated: Millis;
  dateUpdated: Millis | null;
}

export interface TimerRecord {
  id: string;
  executionSid: string;
  accountSid: string;
  dueAt: Millis;
}

/** Work the runtime must carry out after a sprint commits (the outbox); removed once done. */
export interface PendingEffect {
  id: string;
  executionSid: string;
  accountSid: string;
  payload: unknown;
  createdAt: Millis;
}

export interface ExecutionFilter {
  status?: ExecutionStatus | undefined;
  dateCreatedFrom?: Millis | undefined;
  /** Exclusive: executions created before it (the spec's "starting before"); dateCreatedFrom is inclusive. */
  dateCreatedTo?: Millis | undefined;
  /** Exact match on the contact's address (contact.channel.address, contact_channel_address). */
  contactAddress?: string | undefined;
}

/**
 * Everything one engine sprint changed, written in one transaction: the first sprint of a new
 * execution (its row inserted) or a later one (its row updated). What only means something for one
 * of them is on that one only, so a write cannot carry, say, an update without its version.
 */
export type SprintWrite = NewExecutionSprint | ExistingExecutionSprint;

/** A new execution's first sprint: its row is inserted. */
export interface NewExecutionSprint extends SprintWriteCommon {
  isNew: true;
  /**
   * Whether it holds its contact pair's one active slot (Studio's rule). With false, any number of
   * active executions may share the pair.
   */
  exclusive: boolean;
  /**
   * For a new inbound call's execution whose flow refuses a caller's concurrent calls
   * (allow_concurrent_calls off): the write fails with StoreConflictError('active-execution'), and
   * nothing of it is kept, if its contact pair has an active execution on a call (call_sid set) other
   * than those `passing` names (what the router read and let pass: the caller's REST or message
   * executions, a call that no longer holds the line). Checked and written atomically across nodes,
   * whether or not the execution takes the pair's one slot (`exclusive`), which orders it only against
   * the slot's holder.
   */
  soleCall?: { passing: string[] } | undefined;
}

/** A later sprint of an existing execution: its row is updated. */
export interface ExistingExecutionSprint extends SprintWriteCommon {
  isNew: false;
  /**
   * Optimistic concurrency across nodes: the version loadExecution returned. When the row has
   * moved on (another node wrote a sprint) the write fails with StoreConflictError('version').
   * 'unchecked' writes whatever the version (copying a store, tests); nothing that runs
   * executions may use it, or two nodes' sprints would overwrite each other.
   */
  expectedVersion: number | 'unchecked';
  /**
   * Its contact or channel address (and contact SID) changed in this sprint (Start Conversation moved
   * it into a conversation): the update writes them, so the pair's lookup (findActiveExecution) finds
   * it by the new ones. If another active execution holds the new pair's one slot the write fails with
   * StoreConflictError('active-execution').
   */
  readdressed?: boolean | undefined;
}

/**
 * The version an update must find (null: 'unchecked', any). The type already demands one; this also
 * refuses a write that lost it on the way (a plain-JS caller, a JSON round trip), rather than let it
 * overwrite whatever another node wrote.
 */
export function versionToCheck(write: ExistingExecutionSprint): number | null {
  if (write.expectedVersion === 'unchecked') return null;
  if (Number.isInteger(write.expectedVersion)) return write.expectedVersion;
  throw new Error(`the update of execution ${write.execution.sid} has no expectedVersion (a number, or 'unchecked')`);
}

interface SprintWriteCommon {
  execution: ExecutionRecord;
  steps: StepRecord[];
  timersToAdd: TimerRecord[];
  timersToCancel: string[];
  effectsToAdd: PendingEffect[];
  /** Effect rows this sprint consumed (their results were fed in). */
  effectsDone: string[];
  /**
   * The claimed timer or effect this sprint consumes (fencing): unless the row still exists and
   * `owner` still holds its claim, the write fails with StoreConflictError('stale-claim').
   */
  consumes?: ClaimRef | undefined;
  /** effectsToAdd are written already claimed by the node that will carry them out. */
  effectLease?: Lease | undefined;
  /** Warnings and errors the engine reported in this sprint (Twilio's Debugger alerts). */
  alerts?: AlertRecord[] | undefined;
  /**
   * The inbound webhook this sprint consumes (account + I-Twilio-Idempotency-Token or MessageSid).
   * Written in the same transaction; if it exists already the write fails with
   * StoreConflictError('duplicate-inbound') and nothing of the sprint is kept.
   */
  inboundReceipt?: InboundReceipt | undefined;
  /**
   * The sprint adds a timer due before the other nodes' next look at the timer queue: tell them at
   * commit (PostgreSQL NOTIFY). Later timers are left to their polling: a NOTIFY takes a lock every
   * committing transaction waits for, which would serialise all commits.
   */
  wakeOthers?: boolean | undefined;
}

export interface InboundReceipt {
  accountSid: string;
  key: string;
  receivedAt: Millis;
}

export type AlertLevel = 'error' | 'warning';

/**
 * A warning or error from running an execution, kept like Twilio's Debugger alerts (Monitor API);
 * or a flow's own (addAlerts), such as an inbound execution its rate limit refused.
 */
export interface AlertRecord {
  /** NO… */
  sid: string;
  accountSid: string;
  flowSid: string;
  /** The execution (FN…) that raised it; a flow's own alert names the flow (FW…, its flowSid). */
  executionSid: string;
  logLevel: AlertLevel;
  errorCode: number;
  /** Twilio's alert_text: form-encoded Msg, ErrorCode, LogLevel and the widget. */
  text: string;
  dateCreated: Millis;
}

export interface AlertFilter {
  logLevel?: AlertLevel | undefined;
  /** The execution that raised them (a Switchboard extension: /v1/Alerts?ResourceSid=FN…). */
  executionSid?: string | undefined;
  /** Inclusive. */
  startDate?: Millis | undefined;
  /** Exclusive. */
  endDate?: Millis | undefined;
}

// ---- many nodes on one store (issue: PostgreSQL and many stateless nodes)

/** A node's claim on a timer or effect; other nodes may take the row over once `until` has passed. */
export interface Lease {
  owner: string;
  until: Millis;
}

export interface ClaimRef {
  kind: 'timer' | 'effect';
  id: string;
  owner: string;
}

export type ConflictReason = 'version' | 'active-execution' | 'stale-claim' | 'duplicate-inbound';

/**
 * A write lost a race with another writer (possibly on another node). 'version': the execution
 * changed since it was read — re-read and retry. 'active-execution': the contact pair already has
 * an active execution — look it up and use it. 'stale-claim': the timer/effect was consumed or
 * taken over elsewhere — drop the work. 'duplicate-inbound': the sprint's inbound receipt was
 * already written — the webhook is a retry of one already run.
 */
export class StoreConflictError extends Error {
  readonly reason: ConflictReason;
  constructor(reason: ConflictReason, message: string) {
    super(message);
    this.name = 'StoreConflictError';
    this.reason = reason;
  }
}

/** What pruneHistory drops: rows from before each given time (a part not given is left alone). */
export interface PruneCutoffs {
  receipts?: Millis | undefined;
  alerts?: Millis | undefined;
  channelRecords?: Millis | undefined;
  /**
   * Rows naming an account that no longer exists (what a request that raced the account's deletion
   * wrote): its flows with their revisions and executions, alerts, receipts, channel records and
   * `<name>:<AccountSid>` settings. Bounded by `limit` in total when given.
   */
  orphans?: boolean | undefined;
  /**
   * At most this many rows of each of receipts, alerts and channel records, and of orphans in total
   * (a bounded batch: one short transaction, however many are due); without it, all that are due.
   */
  limit?: number | undefined;
  /** Ended executions created before `createdBefore`, at most `limit` of them (a bounded batch). */
  executions?: { createdBefore: Millis; limit: number } | undefined;
}

/** A stretch of active executions activeExecutionsOnCalls looked through. */
export interface CallsScan {
  /** Those of the stretch that may wait on a call, oldest first. */
  executions: ExecutionRecord[];
  /** The last execution of the stretch, where the next one starts (`after`); null: none was left. */
  scannedTo: ExecutionAge | null;
}

/** An active execution and when it was created: what expiry goes by (also its position in that order). */
export interface ExecutionAge {
  sid: string;
  dateCreated: Millis;
}

export interface VersionedExecution {
  record: ExecutionRecord;
  /** Bumped by every sprint written; pass it back as SprintWrite.expectedVersion. */
  version: number;
}

export interface ClusterStore {
  loadExecution(executionSid: string): Promise<VersionedExecution | null>;
  /**
   * Many executions in one read (a batch of timers firing together), keyed by SID; one not found is
   * absent. A prefetch: the versions make a sprint run on a record changed since write nothing.
   */
  loadExecutions(executionSids: readonly string[]): Promise<Map<string, VersionedExecution>>;
  /**
   * Claims up to `limit` timers due at or before `now` that nobody holds (or whose lease expired),
   * soonest first. Two nodes never get the same timer while a lease is current.
   */
  claimDueTimers(now: Millis, lease: Lease, limit: number): Promise<TimerRecord[]>;
  /** Claims up to `limit` pending effects nobody holds (or whose lease expired), oldest first. */
  claimEffects(now: Millis, lease: Lease, limit: number): Promise<PendingEffect[]>;
  /** Extends the lease on rows `lease.owner` still holds; rows taken over elsewhere are left alone. */
  renewLeases(lease: Lease, held: { timers: string[]; effects: string[] }): Promise<void>;
  /** Gives up every claim `owner` holds so other nodes can take the work at once (shutdown). */
  releaseLeases(owner: string): Promise<void>;
  /**
   * Optional, for a store one host uses (SQLite): voids the claims of owners `isAbandoned` names (a
   * previous run's, whose process is gone), so their work is taken at once rather than after the
   * lease. The runtime calls it when it starts (opening the store must not).
   */
  releaseAbandonedClaims?(isAbandoned: (owner: string) => boolean): Promise<void>;
  /** Runs fn while holding a store-wide named lock (across nodes): start-up chores such as the dev account. */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Optional: calls `listener` when another node commits new timers (with the soonest due time)
   * or releases claims (null: look now), so the runtime need not wait for its next poll.
   * Resolves to an unsubscribe function.
   */
  onWork?(listener: (dueAt: Millis | null) => void): Promise<() => void>;
  /** Everything a copy to another store needs that the per-account methods do not list. */
  listApiKeys(): Promise<ApiKey[]>;
  listSettings(): Promise<{ key: string; value: string }[]>;
}

export interface ExecutionStore {
  writeSprint(write: SprintWrite): Promise<void>;
  /**
   * Whether an inbound webhook with this key (or any of these keys, in one read) was already run; the
   * authoritative check is in writeSprint.
   */
  hasInboundReceipt(accountSid: string, key: string | readonly [string, ...string[]]): Promise<boolean>;
  /**
   * The account's inbound receipts in key order (the store's: its primary key serves the read), those
   * after the key `after` only; at most `limit`. What a copy to another store reads (copyStore).
   */
  listInboundReceipts(accountSid: string, limit: number, after?: string): Promise<InboundReceipt[]>;
  /**
   * Writes receipts as they are (their received time kept, so they expire when they would have), in one
   * transaction; one already under its account and key is left as it is. For a copy to another store:
   * a webhook's receipt is written with its sprint (SprintWrite.inboundReceipt).
   */
  addInboundReceipts(receipts: readonly InboundReceipt[]): Promise<void>;
  /** Alerts newest first. */
  listAlerts(accountSid: string, filter: AlertFilter, page: PageRequest): Promise<PageResult<AlertRecord>>;
  getAlert(accountSid: string, alertSid: string): Promise<AlertRecord | null>;
  /**
   * Writes alerts that belong to no execution, in one insert (all or none), in the given order (a
   * listing shows the last newest): a flow's own alerts, as Twilio's Debugger records the 20429 of an
   * inbound execution the flow's rate limit refused. Such an alert names its flow in executionSid
   * (no execution filter matches it); an execution's alerts are written with its sprint (writeSprint).
   */
  addAlerts(alerts: AlertRecord[]): Promise<void>;
  /**
   * Housekeeping: drops receipts and alerts older than the given times, channel records last written
   * before `channelRecords` whose execution is not active (ended or gone), and up to `executions.limit`
   * ended executions created before `executions.createdBefore`, oldest first, each with what
   * deleteExecution takes with it (their alerts keep their own retention). Never an active execution.
   * Each part is skipped when its cut-off is not given; with `limit`, at most that many rows of each of
   * receipts, alerts and channel records go (and of `orphans` in total), in one short transaction, so a
   * backlog of millions is deleted a batch at a time. How many rows went, an execution counting as
   * one: a call with one part alone returns how many of it went (fewer than its limit: no more are due).
   */
  pruneHistory(before: PruneCutoffs): Promise<number>;
  getExecution(accountSid: string, flowSid: string, executionSid: string): Promise<ExecutionRecord | null>;
  getExecutionBySid(executionSid: string): Promise<ExecutionRecord | null>;
  /** The execution's stamp (status and row version), not its state; null when there is no such execution. */
  getExecutionStamp(accountSid: string, flowSid: string, executionSid: string): Promise<ExecutionStamp | null>;
  /**
   * The standing of each of these executions of the flow (of the account) that exists, in one read, in no
   * particular order; SIDs of no such execution are left out. PostgreSQL reads a state's NUL and lone
   * surrogate escapes as U+FFFD here, as jsonb must.
   */
  listExecutionStandings(accountSid: string, flowSid: string, executionSids: readonly string[]): Promise<ExecutionStanding[]>;
  findActiveExecution(flowSid: string, contactAddress: string, channelAddress: string): Promise<ExecutionRecord | null>;
  /** The SID findActiveExecution would return, without reading the execution (every inbound message asks). */
  findActiveExecutionSid(flowSid: string, contactAddress: string, channelAddress: string): Promise<string | null>;
  /**
   * Up to `limit` of the pair's active executions, newest first (findActiveExecution's is the first),
   * off the pair's index: all of them, not only the one holding the pair's slot, for what non-exclusive
   * executions (a caller's concurrent calls) share the pair with.
   */
  listActiveExecutionsOfPair(flowSid: string, contactAddress: string, channelAddress: string, limit: number): Promise<ExecutionRecord[]>;
  /**
   * The SIDs listActiveExecutionsOfPair would return, without reading the executions: an inbound message
   * asks for two, to know in one read whether the pair has more than one active execution to choose from.
   */
  listActiveExecutionSidsOfPair(flowSid: string, contactAddress: string, channelAddress: string, limit: number): Promise<string[]>;
  /**
   * The flow's active execution whose state's callSid is `callSid` (the newest, should two be), off an
   * index of the active executions' calls: wherever the execution's contact pair is (Start
   * Conversation moves it; Make Outgoing Call may call other addresses than the contact's).
   */
  findActiveExecutionByCall(flowSid: string, callSid: string): Promise<ExecutionRecord | null>;
  listExecutions(accountSid: string, flowSid: string, filter: ExecutionFilter, page: PageRequest): Promise<PageResult<ExecutionRecord>>;
  /** Deletes the execution with what hangs off it (steps, timers, effects, channel records). */
  deleteExecution(accountSid: string, flowSid: string, executionSid: string): Promise<boolean>;
  listSteps(accountSid: string, flowSid: string, executionSid: string, page: PageRequest): Promise<PageResult<StepRecord>>;
  getStep(accountSid: string, flowSid: string, executionSid: string, stepSid: string): Promise<StepRecord | null>;
  /** Timers due at or before `now`, oldest first. */
  dueTimers(now: Millis, limit: number): Promise<TimerRecord[]>;
  /** When the next timer becomes claimable: its due time, or a current lease's expiry if later. */
  nextTimerDue(): Promise<Millis | null>;
  /**
   * Up to `limit` active executions created at or before `createdBy` (past the maximum age), oldest
   * first, after `after` when given. Expiry needs no timer row per execution: an index on the active
   * ones' creation time finds them.
   */
  expiredExecutions(createdBy: Millis, limit: number, after?: ExecutionAge): Promise<ExecutionAge[]>;
  /**
   * Of the next `scan` active executions created at or before `createdBy` (expiredExecutions' stretch: oldest
   * first, after `after` when given), those that may wait on a call, whole: those on a call (the state's
   * callSid) and those whose deepest frame waits on one (a call Make Outgoing Call placed and still ringing
   * has its CallSid in the wait alone). The lost-call sweep after a restart reads these a stretch at a time,
   * and never the states of the others.
   */
  activeExecutionsOnCalls(createdBy: Millis, scan: number, after?: ExecutionAge): Promise<CallsScan>;
  /**
   * Up to `limit` of the flow's active executions whose deepest frame waits on a virtual agent, whole, in SID
   * order after `afterSid`: deleting the flow takes their conversations back from the agents first.
   */
  activeExecutionsWithAgents(accountSid: string, flowSid: string, limit: number, afterSid?: string): Promise<ExecutionRecord[]>;
  /** The creation time of the oldest active execution (null: none): when the next one expires. */
  oldestActiveExecution(): Promise<Millis | null>;
  deleteTimer(id: string): Promise<void>;
  pendingEffects(limit: number): Promise<PendingEffect[]>;
  deleteEffect(id: string): Promise<void>;
}
