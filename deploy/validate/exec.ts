import { spawnSync } from 'node:child_process';

/** The result of one check: its name and every problem found (empty when it passed). */
export interface CheckResult {
  readonly name: string;
  readonly problems: string[];
  /** Set when the check could not run here (a missing tool) — `make validate` treats it as failure. */
  readonly skipped?: string;
}

export interface RunResult {
  readonly ok: boolean;
  readonly output: string;
}

/** Runs a tool synchronously (these checks are short) and returns its exit status and output. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; input?: string } = {},
): RunResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) return { ok: false, output: `${command}: ${result.error.message}` };
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** Whether an executable is on PATH. */
export function hasCommand(name: string): boolean {
  return run('sh', ['-c', `command -v ${name}`]).ok;
}
