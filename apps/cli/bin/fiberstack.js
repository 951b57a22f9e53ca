#!/usr/bin/env node
// The fiberstack command. Runs the TypeScript sources through tsx (docs/adr/0001).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
