import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { LiveProvider } from './api/live.tsx';
import './app.css';
import { Layout } from './components/layout.tsx';
import { Loading } from './components/states.tsx';
import { AdminPage } from './features/admin/admin-page.tsx';
import { AnalyticsPage } from './features/analytics/analytics-page.tsx';
import { NodePage } from './features/node/node-page.tsx';
import { OverviewPage } from './features/overview/overview-page.tsx';

/** Leaflet and the country shapes load only when the map is opened. */
const MapPage = lazy(() => import('./features/map/map-page.tsx').then((m) => ({ default: m.MapPage })));

import { NotFound } from './features/not-found.tsx';

const client = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchInterval: 60_000,
      retry: 1,
      retryDelay: 500,
      placeholderData: (prev: unknown) => prev,
    },
  },
});

const router = createBrowserRouter([
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <OverviewPage /> },
      { path: 'nodes/:nodeId', element: <NodePage /> },
      {
        path: 'map',
        element: (
          <Suspense fallback={<Loading what="the map" />}>
            <MapPage />
          </Suspense>
        ),
      },
      { path: 'analytics', element: <AnalyticsPage /> },
      { path: 'admin', element: <AdminPage /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <LiveProvider>
        <RouterProvider router={router} />
      </LiveProvider>
    </QueryClientProvider>
  </StrictMode>,
);
