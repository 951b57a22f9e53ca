import type {
  EventsResponse,
  FleetResponse,
  KeysResponse,
  MetricsResponse,
  NodeDetailResponse,
  RegionsResponse,
  StatusResponse,
} from '@fiberstack/contracts';
import { useQueries, useQuery } from '@tanstack/react-query';
import { type Aggregation, type RangeKey, rangeBounds } from '../lib/filters.ts';
import { apiFetch } from './client.ts';

/** Ranges are re-anchored to "now" each minute, so cached queries stay shareable for a minute. */
const bounds = (range: RangeKey) => rangeBounds(range, Date.now());

export const keys = {
  fleet: ['fleet'] as const,
  events: (p: object) => ['events', p] as const,
  node: (id: string, range: RangeKey) => ['node', id, range] as const,
  metrics: (id: string, range: RangeKey, agg: Aggregation) => ['metrics', id, range, agg] as const,
  regions: (range: RangeKey, agg: string, series: boolean) => ['regions', range, agg, series] as const,
  keys: ['keys'] as const,
  status: ['status'] as const,
};

export function useFleet() {
  return useQuery({
    queryKey: keys.fleet,
    queryFn: ({ signal }) => apiFetch<FleetResponse>('/api/fleet', { signal }),
  });
}

export function useEvents(p: { node_id?: string; q?: string; limit?: number }) {
  return useQuery({
    queryKey: keys.events(p),
    queryFn: ({ signal }) => apiFetch<EventsResponse>('/api/events', { params: { limit: 50, ...p }, signal }),
  });
}

export function useNodeDetail(id: string, range: RangeKey) {
  return useQuery({
    queryKey: keys.node(id, range),
    queryFn: ({ signal }) =>
      apiFetch<NodeDetailResponse>(`/api/fleet/${encodeURIComponent(id)}`, { params: bounds(range), signal }),
  });
}

/**
 * Raw ranges longer than MAX_POINTS minutes (more than a day) come back as min/avg/max per bucket: every sample
 * is still read, but a chart never receives more points than it has pixels to draw them.
 */
const MAX_POINTS = 1500;

const metricsFetch = (id: string, range: RangeKey, agg: Aggregation, signal: AbortSignal) =>
  apiFetch<MetricsResponse>('/api/metrics', {
    params: {
      node_id: id,
      aggregation: agg,
      limit: 20_000,
      ...(agg === 'raw' ? { max_points: MAX_POINTS } : {}),
      ...bounds(range),
    },
    signal,
  });

export function useMetrics(id: string, range: RangeKey, agg: Aggregation) {
  return useQuery({
    queryKey: keys.metrics(id, range, agg),
    queryFn: ({ signal }) => metricsFetch(id, range, agg, signal),
    // Thousands of points: comparing each answer deeply with the last costs more than redrawing.
    structuralSharing: false,
  });
}

export function useManyMetrics(ids: readonly string[], range: RangeKey, agg: Aggregation) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: keys.metrics(id, range, agg),
      queryFn: ({ signal }: { signal: AbortSignal }) => metricsFetch(id, range, agg, signal),
    })),
  });
}

export function useRegions(range: RangeKey, aggregation: 'hourly' | 'daily', series = false) {
  return useQuery({
    queryKey: keys.regions(range, aggregation, series),
    queryFn: ({ signal }) =>
      apiFetch<RegionsResponse>('/api/regions', {
        params: { ...bounds(range), aggregation, series },
        signal,
      }),
  });
}

export function useKeys(token: string) {
  return useQuery({
    queryKey: [...keys.keys, token],
    enabled: token !== '',
    retry: false,
    queryFn: ({ signal }) => apiFetch<KeysResponse>('/api/keys', { token, signal }),
  });
}

export function useStatus() {
  return useQuery({
    queryKey: keys.status,
    queryFn: ({ signal }) => apiFetch<StatusResponse>('/api/status', { signal }),
  });
}
