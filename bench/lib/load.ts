// autocannon, awaited, with the figures the scenarios report.
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Builds each request's body (unique contacts for create-execution). */
  body?: () => string;
}

export interface LoadResult {
  /** Mean 2xx responses per second over the run. */
  okPerSecond: number;
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  latencyMax: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  durationSeconds: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const body = options.body;
  const request = {
    method: options.method ?? 'GET',
    path: new URL(options.url).pathname,
    headers: options.headers ?? {},
    ...(body ? { setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }) } : {}),
  };
  const result = await autocannon({
    url: new URL(options.url).origin,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: [request],
    timeout: 30,
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = Number(stats.count);
  }
  const ok = result['2xx'];
  const seconds = result.duration;
  return {
    okPerSecond: ok / seconds,
    requestsPerSecond: result.requests.average,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyMax: result.latency.max,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    durationSeconds: seconds,
  };
}
