#!/usr/bin/env node
// Standalone entry for the probe (systemd unit, container): `fiberstack-probe [--config …]`.
import { register } from 'tsx/esm/api';

register();
const { runProbe } = await import('../src/index.ts');
process.exitCode = await runProbe(process.argv.slice(2));
