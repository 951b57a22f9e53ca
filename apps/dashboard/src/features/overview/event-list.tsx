import type { EventInfo } from '@fiberstack/contracts';
import { Link } from 'react-router';
import { Empty, Loading } from '../../components/states.tsx';
import { fmtTime } from '../../lib/format.ts';

export function EventList({ events }: { events: EventInfo[] | undefined }) {
  if (!events) return <Loading what="events" />;
  if (events.length === 0) return <Empty>No events.</Empty>;
  return (
    <ol className="events" data-testid="events">
      {events.map((e) => (
        <li key={e.id} className={`event event-${e.kind}`}>
          <time dateTime={e.time}>{fmtTime(e.time)}</time>
          <span className="event-kind">{e.kind.replaceAll('_', ' ')}</span>
          {e.node_id ? (
            <Link className="event-node" to={`/nodes/${encodeURIComponent(e.node_id)}`}>
              {e.node_id}
            </Link>
          ) : null}
          <span className="event-msg">{e.message}</span>
        </li>
      ))}
    </ol>
  );
}
