import { runProbe } from '@fiberstack/probe';

/** `fiberstack probe --config probe.yaml [--check | --once]`: the edge agent (apps/probe). */
export function probeCommand(args: string[]): Promise<number> {
  return runProbe(args);
}
