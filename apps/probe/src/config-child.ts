import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import type { ProbeConfig } from './config.ts';
import { deepFreeze } from './freeze.ts';

/** The child's end of the pipe that carries the resolved config. */
const CONFIG_FD = 3;

/**
 * Reads the config in a short-lived child process: `self` (a command that runs this program)
 * with the same arguments plus `--emit-config`. The child parses and validates probe.yaml
 * and writes the resolved config as JSON to fd 3, a pipe only this process reads (the config
 * holds the API key); its stderr, where config errors go, is ours. So the YAML parser and
 * TypeBox are never loaded into the long-running probe: their code, schemas and parse
 * garbage would stay in its heap for good (≈ 2 MiB RSS with the bundle's split, see
 * scripts/bundle.mjs), for one more node start-up when the probe starts (≈ 0.2 s at 100
 * targets, 0.5 s at 1,000).
 * Resolves with the config, deep-frozen like loadProbeConfig's, or with an exit code.
 */
export function loadConfigInChild(
  self: readonly string[],
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<ProbeConfig | number> {
  const [command, ...pre] = self;
  if (!command) throw new Error('loadConfigInChild: empty command');
  return new Promise((resolve) => {
    const child = spawn(command, [...pre, ...argv, '--emit-config'], {
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdio[CONFIG_FD]?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (err) => {
      process.stderr.write(`cannot start the config loader (${command}): ${err.message}\n`);
      resolve(1);
    });
    child.once('close', (code, signal) => {
      if (code !== 0) {
        if (signal) process.stderr.write(`config loader killed by ${signal}\n`);
        resolve(code ?? 1);
        return;
      }
      try {
        resolve(deepFreeze(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProbeConfig));
      } catch (err) {
        process.stderr.write(`config loader: unreadable output (${(err as Error).message})\n`);
        resolve(1);
      }
    });
  });
}

/** The child's side (`--emit-config`): the config as JSON to fd 3. Returns the exit code. */
export function emitConfig(config: ProbeConfig): number {
  const data = Buffer.from(JSON.stringify(config));
  try {
    for (let at = 0; at < data.length; ) at += writeSync(CONFIG_FD, data, at);
  } catch (err) {
    process.stderr.write(
      `--emit-config is internal: it writes the config to fd 3 (${(err as Error).message})\n`,
    );
    return 2;
  }
  return 0;
}
