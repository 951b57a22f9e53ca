// `make validate`: every deployment artefact checked without a Docker engine.
// Run: node --import tsx deploy/validate/main.ts   (exit 1 on any problem or missing tool)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkComposeFile } from './compose.ts';
import type { CheckResult } from './exec.ts';
import { checkGrafana } from './grafana.ts';
import { checkKubernetes } from './kubernetes.ts';
import { checkNginx } from './nginx.ts';
import { DEPLOY } from './paths.ts';
import { checkPrometheus } from './prometheus.ts';

const work = mkdtempSync(join(tmpdir(), 'fiberstack-validate-'));
let results: CheckResult[];
try {
  results = [
    checkComposeFile(join(DEPLOY, 'compose', 'docker-compose.dev.yml')),
    checkComposeFile(join(DEPLOY, 'compose', 'docker-compose.prod.yml')),
    checkPrometheus(),
    checkGrafana(),
    checkNginx(work),
    await checkKubernetes(),
  ];
} finally {
  rmSync(work, { recursive: true, force: true });
}
let failed = 0;
for (const r of results) {
  if (r.skipped) {
    failed++;
    process.stdout.write(`✗ ${r.name}: cannot run — ${r.skipped}\n`);
  } else if (r.problems.length > 0) {
    failed++;
    process.stdout.write(`✗ ${r.name}\n${r.problems.map((p) => `    ${p}`).join('\n')}\n`);
  } else process.stdout.write(`✓ ${r.name}\n`);
}
process.exitCode = failed > 0 ? 1 : 0;
