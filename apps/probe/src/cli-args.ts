import { parseArgs } from 'node:util';

export type ProbeMode = 'run' | 'check' | 'once' | 'help';

export interface ProbeArgs {
  mode: ProbeMode;
  configPath?: string;
}

export const PROBE_USAGE = `Usage: fiberstack probe [--config probe.yaml] [--check | --once]

  --config <path>  probe.yaml (default: $FIBERSTACK_PROBE_CONFIG, else ./probe.yaml)
  --check          validate the config, print the resolved plan, exit
  --once           run one round of every target, print the samples as a JSON array, exit
  (no flag)        run: schedule checks, buffer durably, push to api_endpoint
`;

export function parseProbeArgs(argv: readonly string[]): ProbeArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string', short: 'c' },
      check: { type: 'boolean' },
      once: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const mode: ProbeMode = values.help ? 'help' : values.check ? 'check' : values.once ? 'once' : 'run';
  return { mode, ...(values.config ? { configPath: values.config } : {}) };
}
