// Child process for the truth tests: loads a probe.yaml with the probe's own config loader and
// runs `rounds` sequential rounds of every target through the probe's `--once` path (the real
// check modules and sample builder), then prints every sample as one JSON array.
import { readFileSync } from 'node:fs';
import { loadProbeConfig, runOnce } from '@fiberstack/probe';

const [configPath = '', roundsArg = '1'] = process.argv.slice(2);
const config = loadProbeConfig(readFileSync(configPath, 'utf8'), {}, { requireApiKey: false });
const samples = [];
for (let i = 0; i < Number(roundsArg); i++) samples.push(...(await runOnce(config)));
process.stdout.write(`${JSON.stringify(samples)}\n`);
