// Server configuration from flags and environment variables (flags win).
import { resolve } from 'node:path';
import type { InvalidDefinitionPolicy } from './runtime/flows.ts';

export interface SwitchboardConfig {
  port: number;
  host: string;
  publicBaseUrl: string | undefined;
  dataDir: string;
  /** Explicit account from TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN; otherwise a dev account is generated. */
  account: { sid: string; authToken: string } | undefined;
  invalidDefinitions: InvalidDefinitionPolicy;
  bodyLimit: number;
  logLevel: string;
}

export class ConfigError extends Error {}

type Flags = Record<string, string | boolean | undefined>;

function pick(flags: Flags, flag: string, env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const value = flags[flag];
  if (typeof value === 'string') return value;
  return env[variable] === '' ? undefined : env[variable];
}

export function loadConfig(flags: Flags = {}, env: NodeJS.ProcessEnv = process.env): SwitchboardConfig {
  const portText = pick(flags, 'port', env, 'PORT') ?? '4000';
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new ConfigError(`PORT must be a port number, got '${portText}'`);
  const publicBaseUrl = pick(flags, 'public-base-url', env, 'PUBLIC_BASE_URL');
  if (publicBaseUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicBaseUrl)) {
    throw new ConfigError(`PUBLIC_BASE_URL must be an absolute http(s) URL, got '${publicBaseUrl}'`);
  }
  const sid = env.TWILIO_ACCOUNT_SID;
  const token = env.TWILIO_AUTH_TOKEN;
  if ((sid && !token) || (!sid && token)) throw new ConfigError('set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither');
  const policy = pick(flags, 'invalid-definitions', env, 'SWITCHBOARD_INVALID_DEFINITIONS') ?? 'reject';
  if (policy !== 'reject' && policy !== 'save-as-draft') {
    throw new ConfigError(`SWITCHBOARD_INVALID_DEFINITIONS must be 'reject' or 'save-as-draft', got '${policy}'`);
  }
  const bodyLimitText = pick(flags, 'body-limit', env, 'SWITCHBOARD_BODY_LIMIT') ?? String(1024 * 1024);
  if (!/^\d+$/.test(bodyLimitText)) throw new ConfigError(`SWITCHBOARD_BODY_LIMIT must be a number of bytes`);
  return {
    port: Number(portText),
    host: pick(flags, 'host', env, 'HOST') ?? '127.0.0.1',
    publicBaseUrl,
    dataDir: resolve(pick(flags, 'data-dir', env, 'SWITCHBOARD_DATA_DIR') ?? './data'),
    account: sid && token ? { sid, authToken: token } : undefined,
    invalidDefinitions: policy,
    bodyLimit: Number(bodyLimitText),
    logLevel: pick(flags, 'log-level', env, 'LOG_LEVEL') ?? 'info',
  };
}
