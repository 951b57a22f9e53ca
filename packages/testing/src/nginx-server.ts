import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitUntil } from './free-port.ts';

export interface NginxServer {
  port: number;
  url: string;
  /** nginx's prefix directory (its config, logs and temp files); removed by stop(). */
  prefix: string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /**
   * Writes the configuration into `prefix` and returns the path of its nginx.conf — e.g. the
   * project's deploy/nginx rendered for this machine. Default: nginxConfig(), a minimal balancer.
   */
  render?: (prefix: string, port: number, upstreamPorts: readonly number[]) => string | Promise<string>;
  /** Path that answers 200 once nginx is up (default /livez, which reaches an API replica). */
  healthPath?: string;
}

/** The binary; override with FIBERSTACK_NGINX_BIN (CI installs the `nginx` package). */
const NGINX_BIN = process.env.FIBERSTACK_NGINX_BIN ?? 'nginx';

/**
 * nginx as the load balancer in front of the API replicas, run in the foreground as a child
 * process with its own prefix dir. A failed upstream (refused, reset, timeout, 502) is retried
 * on the other replica, POST included (`non_idempotent`): the insert is idempotent, so a push
 * that reached the queue before the reset is at worst queued twice and stored once. 503 is not
 * retried: it is the API's own back-pressure answer (with Retry-After) and goes to the client.
 */
export function nginxConfig(prefix: string, port: number, upstreamPorts: readonly number[]): string {
  const asRoot = process.getuid?.() === 0;
  const servers = upstreamPorts
    .map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`)
    .join('\n');
  return `${asRoot ? 'user root;\n' : ''}worker_processes 1;
error_log ${join(prefix, 'error.log')} warn;
pid ${join(prefix, 'nginx.pid')};
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(prefix, 'body')};
  proxy_temp_path ${join(prefix, 'proxy')};
  fastcgi_temp_path ${join(prefix, 'fastcgi')};
  uwsgi_temp_path ${join(prefix, 'uwsgi')};
  scgi_temp_path ${join(prefix, 'scgi')};
  client_max_body_size 2m;
  client_body_buffer_size 2m;
  upstream fiberstack_api {
${servers}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://fiberstack_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_connect_timeout 1s;
      proxy_read_timeout 30s;
      proxy_next_upstream error timeout http_502 non_idempotent;
      proxy_next_upstream_tries 3;
    }
  }
}
`;
}

/** Starts nginx (`-g 'daemon off;'`) on a free port in front of the given API ports. */
export async function startNginx(
  upstreamPorts: readonly number[],
  options: NginxOptions = {},
): Promise<NginxServer> {
  const prefix = await mkdtemp(join(tmpdir(), 'fiberstack-nginx-'));
  const port = await freePort();
  let conf = join(prefix, 'nginx.conf');
  try {
    if (options.render) conf = await options.render(prefix, port, upstreamPorts);
    else await writeFile(conf, nginxConfig(prefix, port, upstreamPorts));
  } catch (error) {
    await rm(prefix, { recursive: true, force: true });
    throw error;
  }
  const healthPath = options.healthPath ?? '/livez';
  const child: ChildProcess = spawn(NGINX_BIN, ['-c', conf, '-p', `${prefix}/`, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d;
  });
  const spawnError = once(child, 'error').then(([err]) => err as Error);
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await rm(prefix, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitUntil(
        `nginx on ${port}`,
        async () => {
          if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${stderr}`);
          const res = await fetch(`http://127.0.0.1:${port}${healthPath}`, {
            signal: AbortSignal.timeout(1_000),
          });
          return res.status === 200;
        },
        20_000,
      ),
      spawnError.then((err) => {
        throw new Error(`cannot run ${NGINX_BIN} (install the nginx package): ${err.message}`, {
          cause: err,
        });
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, url: `http://127.0.0.1:${port}`, prefix, stop };
}
