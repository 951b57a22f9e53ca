import type { CreatedKey } from '@fiberstack/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiRequestError, apiFetch } from '../../api/client.ts';
import { useFleet, useKeys } from '../../api/hooks.tsx';
import { Empty, ErrorState, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { fmtAgo, fmtTime } from '../../lib/format.ts';

const TOKEN_KEY = 'fiberstack.adminToken';

/** Nodes and probe API keys. The admin token lives in sessionStorage only (gone with the tab). */
export function AdminPage() {
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY) ?? '');
  const [draft, setDraft] = useState('');
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const client = useQueryClient();
  const fleet = useFleet();
  const keys = useKeys(token);
  const unauthorized = keys.error instanceof ApiRequestError && keys.error.status === 401;

  const create = useMutation({
    mutationFn: (body: { node_id: string; label?: string }) =>
      apiFetch<CreatedKey>('/api/keys', { method: 'POST', body, token }),
    onSuccess: (key) => {
      setCreated(key);
      void client.invalidateQueries({ queryKey: ['keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) =>
      apiFetch<void>(`/api/keys/${encodeURIComponent(id)}`, { method: 'DELETE', token }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['keys'] }),
  });

  const signIn = (e: FormEvent) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, draft.trim());
    setToken(draft.trim());
    setDraft('');
  };
  const signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken('');
    setCreated(null);
  };
  const onCreate = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const label = String(form.get('label') ?? '').trim();
    create.mutate({ node_id: String(form.get('node_id') ?? '').trim(), ...(label ? { label } : {}) });
  };

  return (
    <section className="page" aria-labelledby="admin-title">
      <h1 id="admin-title">Admin</h1>
      <section className="card">
        <h2>Nodes</h2>
        {fleet.isPending ? <Loading what="nodes" /> : null}
        {fleet.isError && !fleet.data ? <ErrorState error={fleet.error} /> : null}
        {fleet.data && fleet.data.nodes.length === 0 ? <Empty>No nodes yet.</Empty> : null}
        {fleet.data && fleet.data.nodes.length > 0 ? (
          <div className="table-wrap">
            <table className="table" data-testid="admin-nodes">
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col">Status</th>
                  <th scope="col">Country</th>
                  <th scope="col">Region</th>
                  <th scope="col">First seen</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {fleet.data.nodes.map((n) => (
                  <tr key={n.node_id}>
                    <th scope="row">{n.node_id}</th>
                    <td>
                      <StatusBadge status={n.status} />
                    </td>
                    <td>{n.country}</td>
                    <td>{n.region}</td>
                    <td>{fmtTime(n.first_seen_at)}</td>
                    <td>{fmtAgo(n.last_seen_at, Date.now())}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title">Probe API keys</h2>
        {!token || unauthorized ? (
          <form className="form" onSubmit={signIn}>
            {unauthorized ? (
              <p role="alert" className="error-text">
                That admin token was refused.
              </p>
            ) : null}
            <label>
              Admin token
              <input
                type="password"
                autoComplete="off"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                required
                data-testid="admin-token"
              />
            </label>
            <p className="muted">
              Kept in this tab only (sessionStorage). `fiberstack up` prints where to find it.
            </p>
            <button type="submit" className="btn">
              Unlock
            </button>
          </form>
        ) : (
          <>
            <form className="form form-row" onSubmit={onCreate}>
              <label>
                Node id
                <input
                  name="node_id"
                  required
                  pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}"
                  placeholder="probe-gh-accra-01"
                  data-testid="new-key-node"
                />
              </label>
              <label>
                Label
                <input name="label" maxLength={128} placeholder="optional" />
              </label>
              <button type="submit" className="btn" disabled={create.isPending} data-testid="create-key">
                Create key
              </button>
              <button type="button" className="btn btn-ghost" onClick={signOut}>
                Lock
              </button>
            </form>
            {create.isError ? <ErrorState error={create.error} /> : null}
            {created ? (
              <div className="secret" role="status" data-testid="created-key">
                <p>
                  Key for <strong>{created.node_id}</strong>. Copy it now: it is shown only once.
                </p>
                <code className="mono">{created.key}</code>
                <button
                  type="button"
                  className="btn"
                  onClick={() => void navigator.clipboard?.writeText(created.key)}
                >
                  Copy
                </button>
                <button type="button" className="btn btn-ghost" onClick={() => setCreated(null)}>
                  Done
                </button>
              </div>
            ) : null}
            {keys.isPending ? <Loading what="keys" /> : null}
            {keys.isError && !unauthorized ? <ErrorState error={keys.error} /> : null}
            {keys.data && keys.data.keys.length === 0 ? <Empty>No keys yet.</Empty> : null}
            {keys.data && keys.data.keys.length > 0 ? (
              <div className="table-wrap">
                <table className="table" data-testid="keys">
                  <thead>
                    <tr>
                      <th scope="col">Prefix</th>
                      <th scope="col">Node</th>
                      <th scope="col">Label</th>
                      <th scope="col">Created</th>
                      <th scope="col">Last used</th>
                      <th scope="col">State</th>
                    </tr>
                  </thead>
                  <tbody>
                    {keys.data.keys.map((k) => (
                      <tr key={k.id}>
                        <td className="mono">{k.prefix}</td>
                        <td>{k.node_id}</td>
                        <td>{k.label ?? ''}</td>
                        <td>{fmtTime(k.created_at)}</td>
                        <td>{k.last_used_at ? fmtAgo(k.last_used_at, Date.now()) : 'never'}</td>
                        <td>
                          {k.revoked_at ? (
                            <span className="muted">revoked</span>
                          ) : (
                            <button
                              type="button"
                              className="btn btn-danger"
                              aria-label={`Revoke key ${k.prefix} of ${k.node_id}`}
                              onClick={() => {
                                if (
                                  confirm(
                                    `Revoke key ${k.prefix} of ${k.node_id}? Its probe stops being accepted.`,
                                  )
                                )
                                  revoke.mutate(k.id);
                              }}
                            >
                              Revoke
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </>
        )}
      </section>
    </section>
  );
}
