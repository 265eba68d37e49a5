// What route modules get: the services they call and the server configuration.
import type { FastifyInstance } from 'fastify';
import type { AccountService } from '../runtime/accounts.ts';
import type { FlowService } from '../runtime/flows.ts';
import type { ExecutionService } from '../runtime/executions.ts';
import type { CallService } from '../runtime/calls.ts';
import type { SimulatorChannel } from '../channels/simulator/simulator-channel.ts';
import type { SimulatorPhone } from '../channels/simulator/phone.ts';
import type { SignedPhoneTransport } from '../channels/simulator/phone-transport.ts';
import type { Store } from '../runtime/ports/store.ts';
import type { OutboundGuard } from '../channels/twilio/outbound-guard.ts';

export interface ApiConfig {
  /** Absolute base for every URL we return; default `http://<Host header>`. */
  publicBaseUrl?: string | undefined;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  /** 'signature' (default) requires X-Twilio-Signature or Basic auth on flow webhooks. */
  webhookAuth?: 'signature' | 'none';
  /**
   * A request whose headers and body have not all arrived by then is answered 408 and its connection
   * closed (default 20 s): a client that stalls must not hold a socket, or a shutdown, for ever.
   */
  requestTimeoutMs?: number;
  /** Fastify logger setting. */
  logger?: boolean | object;
  /** The outbound policy for account-set upstream URLs (the carrier's Calls and Recordings requests). */
  upstreamGuard?: OutboundGuard | undefined;
  /** False: start no background sweep (a guest app of `simulate`/`call`; see AppOptions). Default true. */
  backgroundChores?: boolean;
  /** Registers request observation (metrics, spans): called before any other hook, so refused requests are seen too. */
  observe?: (app: FastifyInstance) => void;
  /** Origins besides the server's own whose pages may send POST/DELETE with credentials (--allowed-origins). */
  allowedOrigins?: string[];
  /** Console event streams one account may hold open on this node (--console-streams-per-account). */
  consoleStreamsPerAccount?: number;
  /** Console event streams this node holds open in all (--console-streams). */
  consoleStreams?: number;
}

export interface ApiContext {
  store: Store;
  accounts: AccountService;
  flows: FlowService;
  executions: ExecutionService;
  simulator: SimulatorChannel;
  /** The voice side of the flow webhook; one per node (its CallSid cache is per node, the store is the truth). */
  calls: CallService;
  /** The simulator phone the simulator's call API drives, and the transport its requests go through. */
  phone: { phone: SimulatorPhone; transport: SignedPhoneTransport };
  config: ApiConfig;
  /**
   * Whether the node serves yet. `switchboard serve` listens before the store is ready (a PostgreSQL
   * node may wait minutes for another node's schema migration), so that /healthz answers and /readyz
   * says 503 meanwhile; until `open` every other request gets 503/20503. Absent: always open.
   */
  startup?: { open: boolean };
}
