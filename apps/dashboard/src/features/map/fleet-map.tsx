import type { FleetNode, NodeStatus } from '@fiberstack/contracts';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useEffect, useRef } from 'react';
import { useNavigate } from 'react-router';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries110m from 'world-atlas/countries-110m.json';
import { worstStatus } from '../../lib/fleet.ts';
import { fmtMs, fmtPct } from '../../lib/format.ts';
import { COUNTRY_BY_NUMERIC, nodePosition } from '../../lib/geo.ts';

const COLORS: Record<NodeStatus, string> = {
  up: '#16a34a',
  degraded: '#d97706',
  down: '#dc2626',
  silent: '#64748b',
};
const topo = countries110m as unknown as Topology<{ countries: GeometryCollection }>;
const all = feature(topo, topo.objects.countries) as FeatureCollection<Geometry, { name: string }>;
/** Antarctica and Fiji cross the antimeridian and draw lines across the map: left out. */
const shapes = { ...all, features: all.features.filter((f) => f.id !== '010' && f.id !== '242') };

/** A tooltip built from DOM text nodes: data never reaches innerHTML. */
function tooltipFor(n: FleetNode): HTMLElement {
  const el = document.createElement('div');
  const title = document.createElement('strong');
  title.textContent = n.node_id;
  const line = document.createElement('div');
  line.textContent = `${n.status} · ${n.country} · ${n.region}`;
  const stats = document.createElement('div');
  stats.textContent = `${fmtMs(n.current.latency_ms)} · ${fmtPct(n.current.packet_loss, 1)} loss`;
  el.append(title, line, stats);
  return el;
}

/**
 * Leaflet map of Africa with bundled country shapes (world-atlas, offline), countries tinted by
 * their worst probe, probes as coloured circles; tiles only when VITE_MAP_TILES_URL is set.
 */
export function FleetMap({ nodes }: { nodes: FleetNode[] }) {
  const box = useRef<HTMLElement>(null);
  const map = useRef<L.Map | null>(null);
  const layer = useRef<L.LayerGroup | null>(null);
  const fitted = useRef(false);
  const navigate = useNavigate();

  useEffect(() => {
    if (!box.current) return;
    const m = L.map(box.current, {
      attributionControl: Boolean(import.meta.env.VITE_MAP_TILES_URL),
      zoomSnap: 0.25,
    });
    m.fitBounds([
      [-35, -18],
      [37, 52],
    ]);
    const tiles = import.meta.env.VITE_MAP_TILES_URL;
    if (tiles) L.tileLayer(tiles, { attribution: import.meta.env.VITE_MAP_TILES_ATTRIBUTION ?? '' }).addTo(m);
    map.current = m;
    layer.current = L.layerGroup().addTo(m);
    return () => {
      m.remove();
      map.current = null;
    };
  }, []);

  useEffect(() => {
    const group = layer.current;
    if (!group) return;
    group.clearLayers();
    const css = getComputedStyle(document.documentElement);
    const border = css.getPropertyValue('--map-border').trim() || '#475569';
    const land = css.getPropertyValue('--map-land').trim() || '#1e293b';
    const byCountry = new Map<string, NodeStatus[]>();
    for (const n of nodes) byCountry.set(n.country, [...(byCountry.get(n.country) ?? []), n.status]);
    L.geoJSON(shapes, {
      interactive: false,
      style: (f?: Feature<Geometry, { name: string }>) => {
        const alpha2 = COUNTRY_BY_NUMERIC[String(f?.id ?? '')];
        const worst = alpha2 ? worstStatus(byCountry.get(alpha2) ?? []) : undefined;
        return {
          color: border,
          weight: 0.8,
          fillColor: worst ? COLORS[worst] : land,
          fillOpacity: worst ? 0.28 : 1,
        };
      },
    }).addTo(group);
    const seen = new Map<string, number>();
    const positions: [number, number][] = [];
    for (const n of nodes) {
      const spot = `${n.country}:${n.node_id.split('-').slice(0, 3).join('-')}`;
      const index = seen.get(spot) ?? 0;
      seen.set(spot, index + 1);
      const pos = nodePosition(n.node_id, n.country, index);
      if (!pos) continue;
      positions.push(pos);
      L.circleMarker(pos, {
        radius: 7,
        color: '#0b1220',
        weight: 1.5,
        fillColor: COLORS[n.status],
        fillOpacity: 0.95,
        className: `probe probe-${n.status}`,
      })
        .bindTooltip(tooltipFor(n))
        .on('click', () => void navigate(`/nodes/${encodeURIComponent(n.node_id)}`))
        .addTo(group);
    }
    if (!fitted.current && positions.length > 0) {
      map.current?.fitBounds(L.latLngBounds(positions), { padding: [60, 60], maxZoom: 6 });
      fitted.current = true;
    }
  }, [nodes, navigate]);

  return <section ref={box} className="map" aria-label="Map of probes across Africa" data-testid="map" />;
}
