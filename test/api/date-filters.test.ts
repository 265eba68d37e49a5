// Date filters of list endpoints: a calendar day its month lacks is a 400 like any malformed date
// (Date.parse alone reads 2026-02-30 as 2026-03-02).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '../support/server.ts';
import { parseDateFilter } from '../../src/api/wire/dates.ts';

const echo = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));

describe('date filters', () => {
  it('a date-time without a zone is UTC whatever the host zone is', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['America/New_York', 'Asia/Kolkata', 'UTC']) {
        process.env.TZ = tz;
        assert.equal(parseDateFilter('2026-11-27T10:51:00'), Date.UTC(2026, 10, 27, 10, 51, 0), tz);
        assert.equal(parseDateFilter('2026-11-27 10:51'), Date.UTC(2026, 10, 27, 10, 51, 0), tz);
        assert.equal(parseDateFilter('2026-11-27'), Date.UTC(2026, 10, 27), tz);
        assert.equal(parseDateFilter('2026-11-27T10:51:00+01:00'), Date.UTC(2026, 10, 27, 9, 51, 0), tz);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
  it('parseDateFilter refuses days a month lacks and keeps real ones', () => {
    for (const text of ['2026-02-30T00:00:00Z', '2026-02-29', '2025-02-29T10:00:00+01:00', '2026-04-31', '1900-02-29', '2026-06-31 12:00', '2026-01-00', '2026-00-01']) {
      assert.equal(parseDateFilter(text), null, text);
    }
    assert.equal(parseDateFilter('2024-02-29'), Date.UTC(2024, 1, 29));
    assert.equal(parseDateFilter('2000-02-29T00:00:00Z'), Date.UTC(2000, 1, 29));
    assert.equal(parseDateFilter('2026-04-30T23:59:59Z'), Date.UTC(2026, 3, 30, 23, 59, 59));
    assert.equal(parseDateFilter('2026-12-31T01:00:00+02:00'), Date.UTC(2026, 11, 30, 23));
  });

  let t: TestServer;
  let flowSid: string;
  before(async () => {
    t = await startTestServer();
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'echo', status: 'published', definition: echo })).sid;
  });
  after(() => t.close());

  it("an offset's '+' sent unencoded (read as a space) is named, with the fix", async () => {
    const res = await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions?DateCreatedFrom=2026-05-01T09:00:00+02:00`, headers: { authorization: t.auth } });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 20001);
    assert.equal(
      res.json().message,
      "Invalid parameter DateCreatedFrom: '2026-05-01T09:00:00 02:00' is not an ISO 8601 date-time: the '+' of its offset arrived as a space, as a '+' written unencoded in a URL does; write it %2B (2026-05-01T09:00:00%2B02:00)",
    );
    // Encoded, it is the date; another malformed one gets no such hint.
    const ok = await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions?DateCreatedFrom=2026-05-01T09:00:00%2B02:00`, headers: { authorization: t.auth } });
    assert.equal(ok.statusCode, 200, ok.body);
    const other = await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions?DateCreatedTo=yesterday`, headers: { authorization: t.auth } });
    assert.equal(other.json().message, "Invalid parameter DateCreatedTo: 'yesterday' is not an ISO 8601 date-time");
  });

  for (const version of ['v2', 'v1'] as const) {
    it(`${version} Executions: DateCreatedFrom/To of an impossible day are 400/20001`, async () => {
      for (const name of ['DateCreatedFrom', 'DateCreatedTo']) {
        const res = await t.app.server.inject({ method: 'GET', url: `/${version}/Flows/${flowSid}/Executions?${name}=2026-02-30T00:00:00Z`, headers: { authorization: t.auth } });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().code, 20001);
        assert.match(res.json().message, new RegExp(`Invalid parameter ${name}`));
      }
      const ok = await t.app.server.inject({ method: 'GET', url: `/${version}/Flows/${flowSid}/Executions?DateCreatedFrom=2026-02-28T00:00:00Z`, headers: { authorization: t.auth } });
      assert.equal(ok.statusCode, 200, ok.body);
    });
  }
});
