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
}

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
  createFlow(flow: FlowRecord, revision: RevisionRecord): Promise<void>;
  /** Writes a new revision and the flow's new head in one transaction. */
  saveFlowRevision(flow: FlowRecord, revision: RevisionRecord): Promise<void>;
  getFlow(accountSid: string, flowSid: string): Promise<FlowRecord | null>;
  listFlows(accountSid: string, page: PageRequest): Promise<PageResult<FlowRecord>>;
  deleteFlow(accountSid: string, flowSid: string): Promise<boolean>;
  getRevision(accountSid: string, flowSid: string, selector: RevisionSelector): Promise<RevisionRecord | null>;
  listRevisions(accountSid: string, flowSid: string, page: PageRequest): Promise<PageResult<RevisionRecord>>;
  getTestUsers(accountSid: string, flowSid: string): Promise<string[] | null>;
  setTestUsers(accountSid: string, flowSid: string, users: string[]): Promise<boolean>;
}

export interface AccountStore {
  createAccount(account: Account): Promise<void>;
  getAccount(sid: string): Promise<Account | null>;
  updateAccountToken(sid: string, authToken: string): Promise<void>;
  listAccounts(): Promise<Account[]>;
  createApiKey(key: ApiKey): Promise<void>;
  getApiKey(sid: string): Promise<ApiKey | null>;
  /** A small key/value table for server settings such as the dev account. */
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
}

export interface Store extends AccountStore, FlowStore {
  readonly kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
}
