import { readFileSync } from 'node:fs';
import { createLogger } from '@fiberstack/logging';
import { Agent } from './agent.ts';
import { PROBE_USAGE, parseProbeArgs } from './cli-args.ts';
import { loadProbeConfig, type ProbeConfig, ProbeConfigError } from './config.ts';
import { runOnce } from './once.ts';
import { describePlan } from './plan.ts';

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

/** `fiberstack probe …`: resolves with the exit code. Run mode resolves after SIGTERM/SIGINT. */
export async function runProbe(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const args = parseProbeArgs(argv);
  if (args.mode === 'help') return print(PROBE_USAGE);
  const path = args.configPath ?? env.FIBERSTACK_PROBE_CONFIG ?? 'probe.yaml';
  let config: ProbeConfig;
  try {
    config = loadProbeConfig(readFileSync(path, 'utf8'), env, { requireApiKey: args.mode === 'run' });
  } catch (err) {
    const msg =
      err instanceof ProbeConfigError ? err.message : `cannot read ${path}: ${(err as Error).message}`;
    process.stderr.write(`${msg}\n`);
    return 2;
  }
  if (args.mode === 'check') return print(JSON.stringify(describePlan(config), null, 2));
  if (args.mode === 'once') return print(JSON.stringify(await runOnce(config)));

  const log = createLogger({
    service: 'fiberstack-probe',
    level: env.LOG_LEVEL === 'debug' ? 'debug' : 'info',
  });
  const agent = await Agent.create(config, log.child({ node_id: config.node.node_id }));
  await agent.start();
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.once(signal, () => process.exit(130)); // a second signal forces exit
      log.info({ signal }, 'stopping');
      agent.stop().then(resolve, resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return 0;
}
