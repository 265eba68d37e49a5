// Every scenario, in the order of the issue.
import type { Scenario } from '../lib/context.ts';
import { restCreate } from './1-rest-create.ts';
import { prism } from './2-prism.ts';
import { inbound } from './3-inbound.ts';
import { engine } from './4-engine.ts';
import { waiting } from './5-waiting.ts';
import { postgres } from './6-postgres.ts';

export const SCENARIOS: Scenario[] = [restCreate, prism, inbound, engine, waiting, postgres];
