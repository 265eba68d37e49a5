// Validates the third-party Studio exports in ../shared/flows (a sibling of the repo). They are read in
// place, never copied. Dangling `next` targets are the only thing allowed to need strictTransitions:false.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateDefinitionJson } from '../../src/definition/validate.ts';
import type { ValidationIssue } from '../../src/definition/types.ts';

const dir = new URL('../../../shared/flows/', import.meta.url);

/** Every flow's warnings (lenient where a dangling next needs it), and the files that needed that. */
function validateCorpus(): { warnings: Map<string, ValidationIssue[]>; lenient: string[] } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length > 0, 'no *.json flows found');
  const warnings = new Map<string, ValidationIssue[]>();
  const lenient: string[] = [];
  for (const file of files) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    let res = validateDefinitionJson(text);
    if (!res.valid) {
      // Only a dangling `next` justifies the lenient import mode.
      for (const e of res.errors) {
        assert.match(e.message, /\.next ".*" does not name a state in the flow( \(did you mean ".*"\?\))?$/, `${file}: ${e.property_path}: ${e.message}`);
      }
      lenient.push(file);
      res = validateDefinitionJson(text, { strictTransitions: false });
    }
    assert.deepEqual(res.errors, [], file);
    assert.equal(res.valid, true, file);
    warnings.set(file, res.warnings);
  }
  return { warnings, lenient };
}

let corpus: ReturnType<typeof validateCorpus> | undefined;
const validated = () => (corpus ??= validateCorpus());

it('every real exported flow in shared/flows validates', (t) => {
  if (!existsSync(dir)) {
    t.skip(`shared flows folder not found at ${fileURLToPath(dir)}`);
    return;
  }
  const { warnings, lenient } = validated();
  const total = [...warnings.values()].reduce((n, w) => n + w.length, 0);
  t.diagnostic(`${warnings.size} flows valid, ${total} warnings in total`);
  t.diagnostic(`needed strictTransitions:false (dangling next): ${lenient.length ? lenient.join(', ') : 'none'}`);
  assert.deepEqual(lenient, ['twilio-labs__function-templates__vaccine-standby-list_assets_sms-studio-flow.json']);
});

it('real flows: the quiet run-time failures are warned about, the repeated placeholders grouped', (t) => {
  if (!existsSync(dir)) {
    t.skip(`shared flows folder not found at ${fileURLToPath(dir)}`);
    return;
  }
  const { warnings } = validated();
  const find = (file: string, path: string, pattern: RegExp) => {
    const hit = (warnings.get(file) ?? []).find((w) => w.property_path === path && pattern.test(w.message));
    assert.ok(hit, `${file}: no warning at ${path} matching ${pattern}; got ${JSON.stringify(warnings.get(file), null, 1)}`);
  };

  // Liquid reading widgets that do not exist (names are case-sensitive).
  find('Nsight-Live__Twilio-Flex-Template__infra-as-code_terraform_studio_voice-flow.json', '#/states/7/properties/say',
    /^Widget "Closed_Message" \(say-play\): say reads widgets\.check_schedule, .*case-sensitive: did you mean "Check_Schedule"\?/);
  find('datakabeta__twilio-eppo__studio-flow.json', '#/states/7/properties/input',
    /input reads widgets\.get_assignment_express, .*\(did you mean "get_assignment"\?\)/);
  find('techmatters__flex-plugins__twilio-iac_helplines_ca_templates_studio-flows_webchat.tftpl.json', '#/states/1/properties/attributes',
    /attributes reads widgets\.ChatBot, but the flow has no widget named "ChatBot"/);
  // A literal URL to fill in, once, and one repeated in 51 Function widgets, once with its count.
  find('anthonywong555__twilio-studio-sms-forwarding__studio_sms-flow.json', '#/states/1/properties/url',
    /url "<<INSERT YOUR TWILIO FUNCTION URL>>" is not an absolute http\(s\) URL; every run fails with 81014/);
  find('danbartlett-twilio__oidp__assets_studio.private.json', '#/states/1/properties/url', /in place of <URL_PREFIX> \(used 51 times in this flow; this is the first\)$/);
  // Property keys the widget does not have.
  find('acav-twilio__csat-sms-form__studio_csat-form-staging.json', '#/states/7/properties/timeout', /make-http-request has no property "timeout"; it is ignored/);

  const all = [...warnings.values()].flat();
  assert.deepEqual(all.filter((w) => /timeout: integer found/.test(w.message)), [], 'integer send-and-wait timeouts are fine');
  for (const [file, list] of warnings) {
    const placeholders = list.map((w) => w.message.match(/deploy-time template placeholder (\$\{[^}]*\})/)?.[1]).filter((p) => p !== undefined);
    assert.equal(new Set(placeholders).size, placeholders.length, `${file}: one warning per distinct placeholder`);
  }
  // Before grouping: 1,023 warnings, 981 of them one per placeholder use.
  t.diagnostic(`${all.length} warnings, ${all.filter((w) => /deploy-time/.test(w.message)).length} about placeholders`);
  assert.ok(all.length < 800, `${all.length} warnings`);
});
