/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Optional tile URL template for the map, e.g. https://tile.example/{z}/{x}/{y}.png. */
  readonly VITE_MAP_TILES_URL?: string;
  readonly VITE_MAP_TILES_ATTRIBUTION?: string;
}
