// Starts the twilio-cli gateway when configured and says how to use it.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server as HttpServer } from 'node:http';
import type { SwitchboardConfig } from '../config.ts';
import { ensureGatewayCertificate } from './certificate.ts';
import { startTwilioGateway, type Gateway } from './gateway.ts';

export type GatewayConfig = Pick<SwitchboardConfig, 'twilioCliGatewayPort' | 'twilioCliGatewayCertDir' | 'dataDir' | 'host'> & Partial<Pick<SwitchboardConfig, 'publicBaseUrl'>>;

export function gatewayCertDir(config: GatewayConfig): string {
  if (config.twilioCliGatewayCertDir) return config.twilioCliGatewayCertDir;
  return join(config.dataDir === ':memory:' ? tmpdir() : config.dataDir, 'twilio-cli-gateway');
}

/** Null when no gateway port is configured; otherwise the running gateway and the environment twilio-cli needs. */
export async function startConfiguredGateway(
  target: HttpServer,
  config: GatewayConfig,
): Promise<{ gateway: Gateway; env: Record<string, string> } | null> {
  if (config.twilioCliGatewayPort === undefined) return null;
  const certificate = ensureGatewayCertificate(gatewayCertDir(config));
  const gateway = await startTwilioGateway({ target, cert: certificate.cert, key: certificate.key, port: config.twilioCliGatewayPort, host: config.host });
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return { gateway, env: { HTTP_PROXY: `http://${host}:${gateway.port}`, NO_PROXY: noProxy(config), NODE_EXTRA_CA_CERTS: certificate.certPath } };
}

/**
 * What a shell given the gateway's HTTP_PROXY reaches directly: this server (loopback, its --host and public
 * base URL). Clients there that honour HTTP_PROXY for plain http (twilio-python, through requests) would
 * otherwise send their requests for this server to the gateway, which only tunnels and answers them 405.
 * twilio-cli ignores NO_PROXY and calls *.twilio.com only, so it still goes through the gateway.
 */
export function noProxy(config: Pick<GatewayConfig, 'host' | 'publicBaseUrl'>): string {
  const hosts = ['127.0.0.1', 'localhost'];
  const add = (host: string | undefined) => {
    const bare = host?.toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (bare && !['0.0.0.0', '::', '0:0:0:0:0:0:0:0'].includes(bare) && !hosts.includes(bare)) hosts.push(bare);
  };
  add(config.host);
  if (config.publicBaseUrl) {
    try {
      add(new URL(config.publicBaseUrl).hostname);
    } catch {
      // Checked at start: a bad one never gets here.
    }
  }
  return hosts.join(',');
}
