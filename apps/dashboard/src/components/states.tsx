import { ApiRequestError } from '../api/client.ts';

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return (
    <div className="state state-empty" role="status">
      {children}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const unreachable = error instanceof ApiRequestError && (error.status === 0 || error.status >= 502);
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="state state-error" role="alert" data-testid="error-state">
      <strong>{unreachable ? 'The FiberStack API is unreachable.' : 'This view could not be loaded.'}</strong>{' '}
      <span>{unreachable ? 'Retrying automatically; check that the API is running.' : message}</span>
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          Retry now
        </button>
      ) : null}
    </div>
  );
}
