// How the dashboard names the steps sales may take. Which steps a lead allows, and what each
// asks for, come from the collector with the lead (`lead.allowed`: `{status, reason, amount}`,
// each field 'required', 'optional' or null; docs/collector.md): the rules live there alone,
// and the collector refuses what they refuse.
import { words } from './format.js';

const LABELS = {
  accepted: { button: 'Accept', title: 'Accept the lead', confirm: 'Accept lead' },
  rejected: { button: 'Reject', title: 'Reject: back to marketing', confirm: 'Reject lead' },
  opportunity: { button: 'Mark opportunity', title: 'Mark as an opportunity', confirm: 'Mark opportunity' },
  won: { button: 'Won', title: 'Closed won', confirm: 'Mark won' },
  lost: { button: 'Lost', title: 'Closed lost', confirm: 'Mark lost' },
};

/** The words for a step; a status the collector adds later still gets a button. */
export function label(status) {
  const name = words(status);
  return LABELS[status] || { button: name, title: `Mark ${name}`, confirm: `Mark ${name}` };
}

/** The steps the lead allows now, as the collector listed them. */
export const allowed = (lead) => (Array.isArray(lead.allowed) ? lead.allowed : []);

/** The allowed step to `status`, or null. */
export const stepTo = (lead, status) => allowed(lead).find((s) => s.status === status) || null;

/** A step that asks for nothing is done in one click; the others open the form. */
export const needsForm = (step) => Boolean(step.reason || step.amount);
