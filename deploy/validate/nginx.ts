import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { type CheckResult, hasCommand, run } from './exec.ts';
import { DEPLOY } from './paths.ts';

export interface NginxRender {
  /** host:port of each API replica, in place of api-1:8000, api-2:8000, … */
  readonly upstreams: readonly string[];
  /** The dashboard's files (instead of /usr/share/nginx/html). */
  readonly root: string;
  /** Port for the HTTP server (instead of 8080). */
  readonly port?: number;
  /** Listen on this address only (e.g. 127.0.0.1), IPv4 alone, instead of every address. */
  readonly host?: string;
}

const MIME_TYPES = ['/etc/nginx/mime.types'];

/**
 * Copies deploy/nginx into dir with only what a machine without Docker needs changed: the replica
 * addresses, the static root, the listen address and port, and the writable paths (/tmp/nginx and
 * the access log → dir/run).
 * Returns the path of nginx.conf, to use with `nginx -p dir/ -c …`.
 */
export function renderNginx(dir: string, opts: NginxRender): string {
  const source = join(DEPLOY, 'nginx');
  mkdirSync(join(dir, 'run'), { recursive: true });
  chmodSync(dir, 0o755);
  for (const f of readdirSync(source).filter((n) => n.endsWith('.conf'))) {
    let text = readFileSync(join(source, f), 'utf8');
    text = text.replaceAll('/tmp/nginx', join(dir, 'run'));
    text = text.replaceAll('/usr/share/nginx/html', opts.root);
    text = text.replaceAll('/dev/stdout', join(dir, 'run', 'access.log'));
    const port = opts.port ?? 8080;
    if (opts.host)
      text = text
        .replace(/^[ \t]*listen \[::\]:8080 [^\n]*\n/gm, '')
        .replace(/listen 8080 /g, `listen ${opts.host}:${port} `);
    else if (opts.port)
      text = text.replace(/listen (\[::\]:)?8080 /g, (_m, v6?: string) => `listen ${v6 ?? ''}${port} `);
    if (f === 'upstreams.conf') {
      let i = 0;
      text = text.replace(/server api-\d+:8000/g, () => `server ${opts.upstreams[i++] ?? '127.0.0.1:9'}`);
    }
    writeFileSync(join(dir, f), text);
  }
  const mime = MIME_TYPES.find((p) => existsSync(p));
  if (mime) copyFileSync(mime, join(dir, 'mime.types'));
  else
    writeFileSync(
      join(dir, 'mime.types'),
      'types { text/html html; application/javascript js; text/css css; }\n',
    );
  return join(dir, 'nginx.conf');
}

/** `nginx -t` on the rendered configuration. */
export function checkNginx(workDir: string): CheckResult {
  const name = 'nginx -t';
  if (!hasCommand('nginx'))
    return { name, problems: [], skipped: 'nginx is not installed (apt-get install nginx)' };
  mkdirSync(join(workDir, 'html'), { recursive: true });
  const conf = renderNginx(workDir, {
    upstreams: ['127.0.0.1:18001', '127.0.0.1:18002'],
    root: join(workDir, 'html'),
    host: '127.0.0.1',
  });
  const r = run('nginx', ['-t', '-q', '-p', `${workDir}/`, '-c', conf]);
  return { name, problems: r.ok ? [] : [r.output] };
}
