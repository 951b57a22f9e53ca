import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate, openPglite, openPostgres } from '@fiberstack/db';
import { DEFAULT_DATA_DIR, lockDataDir, prepareDataDir } from '../data-dir.ts';

/** `fiberstack migrate`: apply migrations to DATABASE_URL, or to the embedded database. */
export async function migrateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string', default: DEFAULT_DATA_DIR } },
  });
  const url = process.env.DATABASE_URL;
  let release = () => {};
  let db: Awaited<ReturnType<typeof openPostgres>>;
  if (url) db = await openPostgres({ connectionString: url, applicationName: 'fiberstack-migrate' });
  else {
    const dir = prepareDataDir(values['data-dir']);
    release = lockDataDir(dir);
    db = await openPglite({ dataDir: join(dir, 'pgdata') });
  }
  try {
    const { applied } = await migrate(db);
    process.stdout.write(
      applied.length
        ? `Applied ${applied.length} migrations: ${applied.join(', ')}\n`
        : 'Database is up to date.\n',
    );
    return 0;
  } finally {
    await db.close();
    release();
  }
}
