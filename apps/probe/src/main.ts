import { readFileSync } from 'node:fs';
import { createLogger } from '@fiberstack/logging';
import { Agent } from './agent.ts';
import { PROBE_USAGE, parseProbeArgs } from './cli-args.ts';
import type { ProbeConfig } from './config.ts';
import { emitConfig, loadConfigInChild } from './config-child.ts';
import { runOnce } from './once.ts';
import { describePlan } from './plan.ts';

export interface RunProbeOptions {
  /**
   * A command that runs this program again (node, its flags, the script), given by the
   * bundle's entry: run mode then reads the config in a short-lived child (config-child.ts).
   * Without it (tsx, tests) the config is read in this process.
   */
  self?: readonly string[];
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

/**
 * Reads probe.yaml in this process. config.ts (yaml, TypeBox) is imported only here, so the
 * bundle keeps it in a chunk that a probe reading its config in a child never loads.
 */
async function loadHere(
  path: string,
  env: NodeJS.ProcessEnv,
  requireApiKey: boolean,
): Promise<ProbeConfig | number> {
  const { loadProbeConfig, ProbeConfigError } = await import('./config.ts');
  try {
    return loadProbeConfig(readFileSync(path, 'utf8'), env, { requireApiKey });
  } catch (err) {
    const msg =
      err instanceof ProbeConfigError ? err.message : `cannot read ${path}: ${(err as Error).message}`;
    process.stderr.write(`${msg}\n`);
    return 2;
  }
}

/** `fiberstack probe …`: resolves with the exit code. Run mode resolves after SIGTERM/SIGINT. */
export async function runProbe(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  options: RunProbeOptions = {},
): Promise<number> {
  const args = parseProbeArgs(argv);
  if (args.mode === 'help') return print(PROBE_USAGE);
  const path = args.configPath ?? env.FIBERSTACK_PROBE_CONFIG ?? 'probe.yaml';
  const needsKey = args.mode === 'run' || args.mode === 'emit-config';
  const loaded =
    args.mode === 'run' && options.self
      ? await loadConfigInChild(options.self, argv, env)
      : await loadHere(path, env, needsKey);
  if (typeof loaded === 'number') return loaded;
  const config = loaded;
  if (args.mode === 'emit-config') return emitConfig(config);
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
