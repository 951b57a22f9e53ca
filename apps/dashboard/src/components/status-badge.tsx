import type { NodeStatus } from '@fiberstack/contracts';
import { STATUS_LABEL } from '../lib/fleet.ts';

const ICON: Record<NodeStatus, string> = { up: '●', degraded: '▲', down: '■', silent: '○' };

/** Colour plus a shape and a word, so status never relies on colour alone. */
export function StatusBadge({ status }: { status: NodeStatus }) {
  return (
    <span className={`badge badge-${status}`}>
      <span aria-hidden="true">{ICON[status]}</span> {STATUS_LABEL[status]}
    </span>
  );
}
