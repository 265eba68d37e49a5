// A twilio-node client pointed at Switchboard whose HTTP client checks every response body
// against the official OpenAPI spec before the SDK sees it.
import twilio from 'twilio';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertMatchesSpec } from './openapi.ts';

const specDir = fileURLToPath(new URL('../../../shared/spec/', import.meta.url));
const templates: { version: 'v1' | 'v2'; path: string; regex: RegExp; params: number }[] = [];
for (const version of ['v1', 'v2'] as const) {
  if (!existsSync(`${specDir}twilio_studio_${version}.json`)) continue;
  const spec = JSON.parse(readFileSync(`${specDir}twilio_studio_${version}.json`, 'utf8'));
  for (const path of Object.keys(spec.paths)) {
    templates.push({
      version,
      path,
      regex: new RegExp('^' + path.replace(/\{[^}]+\}/g, '[^/]+') + '$'),
      params: (path.match(/\{/g) ?? []).length,
    });
  }
}
templates.sort((a, b) => a.params - b.params);

/** Whether ../shared/spec was found (outside this workspace, responses go unchecked, and say so). */
export const SPECS_FOUND = templates.length > 0;

/** The spec path template a concrete URL path belongs to (literal segments win over parameters). */
export function specTemplate(pathname: string) {
  return templates.find((t) => t.regex.test(pathname));
}

export class SpecCheckingRequestClient extends twilio.RequestClient {
  checked = 0;
  override async request<TData>(opts: any): Promise<any> {
    const response = await super.request<TData>(opts);
    const url = new URL(opts.uri);
    const template = specTemplate(url.pathname);
    if (template && response.statusCode >= 200 && response.statusCode < 300) {
      const body = typeof response.body === 'string' ? (response.body === '' ? '' : JSON.parse(response.body)) : response.body;
      assertMatchesSpec(template.version, String(opts.method).toUpperCase(), template.path, response.statusCode, body ?? '');
      this.checked++;
    }
    return response;
  }
}

export function specCheckingClient(username: string, password: string, baseUrl: string, accountSid?: string): twilio.Twilio {
  const client = twilio(username, password, {
    httpClient: new SpecCheckingRequestClient(),
    ...(accountSid ? { accountSid } : {}),
  });
  client.studio.baseUrl = baseUrl;
  return client;
}
