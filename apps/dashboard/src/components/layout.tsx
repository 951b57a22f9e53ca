import { useIsFetching } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useFleet } from '../api/hooks.tsx';
import { useLive } from '../api/live.tsx';
import { fmtTime } from '../lib/format.ts';

type Theme = 'dark' | 'light';

function initialTheme(): Theme {
  const saved = localStorage.getItem('fiberstack.theme');
  if (saved === 'dark' || saved === 'light') return saved;
  return matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

function LiveIndicator() {
  const { state, at } = useLive();
  const fetching = useIsFetching();
  const text = state === 'live' ? 'Live' : state === 'offline' ? 'Offline' : 'Connecting';
  return (
    <output
      className={`live live-${state}`}
      data-testid="live-state"
      data-state={state}
      title={at ? `newest sample ${fmtTime(at)}` : ''}
    >
      <span className="dot" aria-hidden="true" />
      {text}
      {fetching > 0 ? <span className="sr-only"> (updating)</span> : null}
    </output>
  );
}

const NAV = [
  ['/', 'Overview'],
  ['/map', 'Map'],
  ['/analytics', 'Analytics'],
  ['/admin', 'Admin'],
] as const;

export function Layout() {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const fleet = useFleet();
  const live = useLive();
  const location = useLocation();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('fiberstack.theme', theme);
  }, [theme]);

  useEffect(() => {
    const page = NAV.find(([path]) => path === location.pathname)?.[1];
    document.title = page ? `${page} · FiberStack` : 'FiberStack';
  }, [location.pathname]);

  const apiDown = live.state === 'offline' || (fleet.isError && fleet.data !== undefined);

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          <span>FiberStack</span>
        </div>
        <nav aria-label="Main">
          {NAV.map(([to, label]) => (
            <NavLink key={to} to={{ pathname: to }} end={to === '/'}>
              {label}
            </NavLink>
          ))}
        </nav>
        <div className="top-right">
          <LiveIndicator />
          <button
            type="button"
            className="btn btn-ghost"
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
            onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
        </div>
      </header>
      {fleet.data?.demo ? (
        <div className="banner banner-demo" role="note" data-testid="demo-banner">
          Demo data: a synthetic data set of probes in Ghana, Nigeria and Kenya. Nothing here is a real
          measurement.
        </div>
      ) : null}
      {apiDown ? (
        <div className="banner banner-error" role="alert" data-testid="api-down">
          Connection to the FiberStack API lost. Showing the last data received; reconnecting…
        </div>
      ) : null}
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
