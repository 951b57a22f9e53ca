import { CliError } from './cli-error.ts';
import { apiCommand } from './commands/api.command.ts';
import { backupCommand } from './commands/backup.command.ts';
import { etlCommand } from './commands/etl.command.ts';
import { keysCommand } from './commands/keys.command.ts';
import { migrateCommand } from './commands/migrate.command.ts';
import { probeCommand } from './commands/probe.command.ts';
import { restoreCommand } from './commands/restore.command.ts';
import { upCommand } from './commands/up.command.ts';
import { USAGE } from './usage.ts';

const commands: Record<string, (args: string[]) => Promise<number>> = {
  up: upCommand,
  api: apiCommand,
  etl: etlCommand,
  migrate: migrateCommand,
  keys: keysCommand,
  probe: probeCommand,
  backup: backupCommand,
  restore: restoreCommand,
};

/** Runs one fiberstack command and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`fiberstack: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`fiberstack ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof Error && err.name === 'ConfigError') {
      process.stderr.write(`fiberstack ${name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`fiberstack ${name}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}
