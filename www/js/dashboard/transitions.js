// What sales may do with a lead from each status — the collector's rule (docs/collector.md,
// `Status::next`), mirrored so the dashboard offers only the steps that can succeed. The
// server stays the judge: a 409 says what is allowed now, and the list is refreshed.
export const NEXT = {
  new: ['accepted', 'rejected'],
  review: ['accepted', 'rejected'],
  accepted: ['opportunity', 'rejected', 'lost'],
  opportunity: ['won', 'lost'],
};

/**
 * Each step: its button, and what the form asks (`reason` / `amount`: 'required' or
 * 'optional'). A step without either is done in one click.
 */
export const STEPS = {
  accepted: { button: 'Accept', title: 'Accept the lead' },
  rejected: { button: 'Reject', title: 'Reject: back to marketing', reason: 'required', confirm: 'Reject lead' },
  opportunity: { button: 'Mark opportunity', title: 'Mark as an opportunity', amount: 'optional', confirm: 'Mark opportunity' },
  won: { button: 'Won', title: 'Closed won', amount: 'required', confirm: 'Mark won' },
  lost: { button: 'Lost', title: 'Closed lost', reason: 'required', confirm: 'Mark lost' },
};

export const allowedFrom = (status) => NEXT[status] || [];

export const needsForm = (step) => Boolean(STEPS[step].reason || STEPS[step].amount);
