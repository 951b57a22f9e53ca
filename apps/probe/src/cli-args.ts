import { parseArgs } from 'node:util';

/**
 * `emit-config` is internal (not in the usage): the bundle runs itself with it to read the
 * config in a short-lived child, which writes the resolved config as JSON to fd 3.
 */
export type ProbeMode = 'run' | 'check' | 'once' | 'help' | 'emit-config';

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
      'emit-config': { type: 'boolean' },
    },
    strict: true,
  });
  const mode: ProbeMode = values.help
    ? 'help'
    : values.check
      ? 'check'
      : values.once
        ? 'once'
        : values['emit-config']
          ? 'emit-config'
          : 'run';
  return { mode, ...(values.config ? { configPath: values.config } : {}) };
}
