// What the `flows` dispatcher (src/cli/flows.ts) hands each subcommand once the usage is checked: the
// options, the flow directory, and a client that connects on first use (validate without --remote
// never does). The options are declared here so that every subcommand sees them typed.
import type { StudioClient } from '../../flowtest/studio-client.ts';
import type { ValidateOptions } from '../../definition/validate.ts';
import type { JsonObject } from '../../engine/types.ts';
import { CONNECTION_OPTIONS, type parseSubcommand } from '../remote.ts';

/** Every option of every subcommand (each takes the ones it needs; flows.ts refuses another's switches). */
export const FLOWS_OPTIONS = {
  ...CONNECTION_OPTIONS,
  dir: { type: 'string', default: 'flows' },
  status: { type: 'string' },
  message: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  remote: { type: 'boolean', default: false },
  revision: { type: 'string' },
  out: { type: 'string' },
  name: { type: 'string' },
  layout: { type: 'boolean', default: false },
  all: { type: 'boolean', default: false },
  pair: { type: 'boolean', default: false },
  'force-status': { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  quiet: { type: 'boolean' },
  'max-warnings': { type: 'string' },
  vars: { type: 'string' },
} as const;

export interface FlowsContext {
  values: ReturnType<typeof parseSubcommand<typeof FLOWS_OPTIONS>>['values'];
  positionals: string[];
  /** --dir, where the flow files and flows.manifest.json live. */
  dir: string;
  json: boolean;
  /** Whether diff colours its output (a terminal, NO_COLOR unset). */
  color: boolean;
  /** --status, checked to be draft or published when given. */
  status: string | undefined;
  /** --max-warnings, parsed (null: none given). */
  maxWarnings: number | null;
  /** How local files are checked: as the configured server would (its --liquid-version). */
  validation: ValidateOptions;
  /** --vars FILE, read: values for the local files' deploy-time `${…}` placeholders (validate, import, diff, push). */
  vars: JsonObject | undefined;
  client: () => Promise<StudioClient>;
}
