/**
 * `npm run bench -- <scenario> [options]`: FiberStack's benchmarks. Each prints its figures
 * and writes them as JSON under bench/results/ so a later run can be compared.
 */
import { baselineScenario } from './scenarios/baseline.scenario.ts';
import { dashboardScenario } from './scenarios/dashboard.scenario.ts';
import { embeddedScenario } from './scenarios/embedded.scenario.ts';
import { ingestScenario } from './scenarios/ingest.scenario.ts';
import { probeScenario } from './scenarios/probe.scenario.ts';
import { queryScenario } from './scenarios/query.scenario.ts';

const scenarios: Record<string, (args: string[]) => Promise<Record<string, unknown>>> = {
  baseline: baselineScenario,
  dashboard: dashboardScenario,
  embedded: embeddedScenario,
  ingest: ingestScenario,
  query: queryScenario,
  probe: probeScenario,
};

const [name, ...args] = process.argv.slice(2);
const scenario = name ? scenarios[name] : undefined;
if (!scenario) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(scenarios).join('|')}> [options]\n`);
  process.exit(2);
}
const { writeResult } = await import('./result.ts');
const figures = await scenario(args);
const file = writeResult(name as string, figures);
process.stdout.write(`\nresults written to ${file}\n`);
