// The leads on screen: what the filters ask for, read whole (GET /api/leads) or changed one at
// a time as the collector pushes them (stream.js), in the API's order — latest change first.
import { renderRows } from './rows.js';

/** At most this many rows, as asked of the API. */
export const LIMIT = 200;

/** The API's order: the latest change first, then the newest lead. */
const order = (a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : b.id - a.id);

/**
 * @param {{ rows: HTMLElement, empty: HTMLElement, filters: HTMLFormElement }} els
 */
export function mountList({ rows, empty, filters }) {
  let leads = [];

  const show = (list) => {
    leads = list;
    renderRows(rows, leads);
    empty.hidden = leads.length > 0;
  };

  /** Whether the filters on screen select `lead`. */
  const selects = (lead) => {
    const status = filters.elements.status.value;
    return (!status || lead.status === status) && (filters.elements.rejected.checked || lead.trust !== 'rejected');
  };

  return {
    /** The query for GET /api/leads that the filters ask for. */
    query() {
      const params = new URLSearchParams({ limit: String(LIMIT) });
      if (filters.elements.status.value) params.set('status', filters.elements.status.value);
      if (filters.elements.rejected.checked) params.set('rejected', 'true');
      return params;
    },
    /** Every lead, as read. */
    replace: show,
    /** One lead as it is now: in its place if the filters select it, else gone. */
    upsert(lead) {
      const others = leads.filter((l) => l.id !== lead.id);
      show((selects(lead) ? [...others, lead].sort(order) : others).slice(0, LIMIT));
    },
    find: (id) => leads.find((l) => String(l.id) === String(id)),
    /** Nothing until the answer for new filters (the empty note would say so too early). */
    clear() {
      show([]);
      empty.hidden = true;
    },
  };
}
