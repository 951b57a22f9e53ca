// Entry of the deployable bundle (scripts/bundle.mjs). It names the command that runs this
// file again, so that the running probe reads its config in a short-lived child process.
import { runProbe } from './main.ts';

process.exitCode = await runProbe(process.argv.slice(2), process.env, {
  self: [process.execPath, ...process.execArgv, import.meta.filename],
});
