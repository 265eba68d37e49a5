// For a request no HTTP or Function mock answers: the mock it was most likely meant for (the same URL
// with another method, one whose `times` ran out, the closest URL or Function name), so "unmocked
// request" and "mock matched no request" read as the one mistake they are.
import { closestName, editDistance } from './closest-name.ts';
import { matchesUrl } from './pattern.ts';
import type { HttpMock } from './types.ts';

/** A mock and how the test file names it ("mocks.http[0]", "the file's mocks.functions[1]"). */
export interface LabeledMock {
  mock: HttpMock;
  label: string;
}

export interface NearMiss {
  mock: HttpMock;
  /** Said under the unmocked request: "mocks.http[0] has this URL but method GET". */
  hint: string;
  /** Said of the mock, when it answered nothing: "POST https://… (widget 'x') has its URL but another method". */
  aboutMock: string;
}

/** The URL a mock without a query string is compared with: the request's without its query. */
const comparable = (pattern: string, url: string) => (pattern.includes('?') ? url : url.split('?')[0]!);

/**
 * The near miss for `method url` from `widget` among `candidates` (each with how many requests it
 * answered), or null when no mock is near. `functionName`: for a Function call, its name.
 */
export function nearMiss(method: string, url: string, widget: string, candidates: LabeledMock[], answered: (mock: HttpMock) => number, functionName?: string): NearMiss | null {
  const request = `${method} ${url} (widget '${widget}')`;
  const methodOk = (m: HttpMock) => !m.method || m.method.toUpperCase() === method.toUpperCase();
  const urlOk = (m: HttpMock) => !m.url || matchesUrl(m.url, url);
  const nameOk = (m: HttpMock) => (functionName !== undefined && m.name !== undefined ? m.name === functionName : m.name === undefined);
  const sameUrl = candidates.find(({ mock }) => urlOk(mock) && nameOk(mock) && !methodOk(mock));
  if (sameUrl) {
    return { mock: sameUrl.mock, hint: `${sameUrl.label} has this URL but method ${sameUrl.mock.method!.toUpperCase()}`, aboutMock: `${request} has its URL but another method` };
  }
  const usedUp = candidates.find(({ mock }) => urlOk(mock) && nameOk(mock) && methodOk(mock) && mock.times !== undefined && answered(mock) >= mock.times);
  if (usedUp) {
    const times = usedUp.mock.times!;
    return { mock: usedUp.mock, hint: `${usedUp.label} matches it but has answered its ${times} request${times === 1 ? '' : 's'} (times: ${times})`, aboutMock: `${request} came after its times: ${times}` };
  }
  if (functionName !== undefined) {
    const named = candidates.filter(({ mock }) => mock.name !== undefined);
    const near = closestName(functionName, named.map(({ mock }) => mock.name!));
    const found = near !== undefined ? named.find(({ mock }) => mock.name === near) : undefined;
    if (found) return { mock: found.mock, hint: `closest Function mock: ${found.label} (name: ${near})`, aboutMock: `the Function call ${request} is named '${functionName}'` };
  }
  // The URL nearest by edit distance, when near enough to be a typo (as closestName judges names).
  let best: { candidate: LabeledMock; distance: number } | undefined;
  for (const candidate of candidates) {
    if (candidate.mock.url === undefined || candidate.mock.name !== undefined) continue;
    const target = comparable(candidate.mock.url, url);
    const distance = editDistance(target, candidate.mock.url);
    if (distance <= Math.max(2, Math.ceil(target.length / 2)) && (!best || distance < best.distance)) best = { candidate, distance };
  }
  if (!best) return null;
  const { mock, label } = best.candidate;
  const other = methodOk(mock) ? '' : ` (and method ${mock.method!.toUpperCase()})`;
  return { mock, hint: `closest mock URL: ${label} ${mock.url}${other}`, aboutMock: `the nearest request is ${request}` };
}
