// Sales' answer on a lead: one click for a step that asks for nothing (Accept), a small form
// for the steps that ask for a reason or an amount — as the lead's own rules say (`allowed`,
// steps.js). POST /api/leads/{id}/feedback; the server's error text is shown as is.
import { api, ApiError, Unauthorized } from './api.js';
import { who } from './format.js';
import { label, needsForm, stepTo } from './steps.js';

const FIELD_NAMES = { reason: 'Reason', amount: 'Amount (USD)' };

/**
 * @param {{ onDone: (lead: object) => void, onError: (message: string) => void,
 *           onUnauthorized: (message: string) => void, onStale: () => void }} hooks
 * `onDone` gets the updated lead; `onStale` is called after a 409 (the list is out of date).
 */
export function mountFeedback(hooks) {
  const dialog = document.querySelector('[data-testid="action-dialog"]');
  const form = dialog.querySelector('form');
  const error = dialog.querySelector('[data-testid="action-error"]');
  const confirm = dialog.querySelector('[data-testid="action-confirm"]');
  const field = (name) => dialog.querySelector(`[data-field="${name}"]`);
  let current = null; // { lead, step }

  const send = async (lead, status, extra = {}) => {
    // Who did it is the token's user, recorded by the collector.
    const body = { status, ...extra };
    const { lead: updated } = await api(`/api/leads/${encodeURIComponent(lead.id)}/feedback`, { method: 'POST', body });
    hooks.onDone(updated);
  };

  const failed = (err, show) => {
    if (err instanceof Unauthorized) {
      if (dialog.open) dialog.close();
      hooks.onUnauthorized(err.message);
      return;
    }
    show(err instanceof ApiError ? err.message : `Could not reach the collector (${err.message}).`);
    if (err instanceof ApiError && err.status === 409) hooks.onStale();
  };

  const open = (lead, step) => {
    const words = label(step.status);
    current = { lead, step };
    form.reset();
    error.textContent = '';
    dialog.querySelector('[data-testid="action-title"]').textContent = words.title;
    dialog.querySelector('[data-testid="action-lead"]').textContent = who(lead).name;
    for (const name of ['reason', 'amount']) {
      const need = step[name];
      field(name).hidden = !need;
      const input = form.elements[name];
      input.required = need === 'required';
      input.disabled = !need;
      field(name).firstChild.textContent = `${FIELD_NAMES[name]}${need === 'optional' ? ' (optional)' : ''}`;
    }
    confirm.textContent = words.confirm;
    confirm.disabled = false;
    dialog.showModal();
    form.querySelector('input:not([disabled]), textarea:not([disabled])')?.focus();
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!current) return;
    const { lead, step } = current;
    const extra = {};
    const reason = form.elements.reason.value.trim();
    const amountText = form.elements.amount.value.trim();
    if (step.reason === 'required' && !reason) {
      error.textContent = step.status === 'rejected' ? 'Say why the lead goes back to marketing: a reason is required.' : 'A reason is required.';
      form.elements.reason.focus();
      return;
    }
    if (step.amount === 'required' && !amountText) {
      error.textContent = 'Enter the amount.';
      form.elements.amount.focus();
      return;
    }
    if (step.amount && amountText && !(Number(amountText) >= 0)) {
      error.textContent = 'The amount is a number of dollars, 0 or more.';
      form.elements.amount.focus();
      return;
    }
    if (step.reason && reason) extra.reason = reason;
    if (step.amount && amountText) extra.amount = Number(amountText);
    error.textContent = '';
    confirm.disabled = true;
    try {
      await send(lead, step.status, extra);
      current = null;
      dialog.close();
    } catch (err) {
      failed(err, (text) => { error.textContent = text; });
    } finally {
      confirm.disabled = false;
    }
  });
  dialog.querySelector('[data-testid="action-cancel"]').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => { current = null; });

  /** Starts the step to `status` on `lead`: at once when it asks for nothing, else the form. */
  return async function act(lead, status) {
    const step = stepTo(lead, status);
    if (!step) {
      hooks.onError(`A ${lead.status} lead cannot become ${status} now.`);
      hooks.onStale();
      return;
    }
    if (needsForm(step)) {
      open(lead, step);
      return;
    }
    try {
      await send(lead, status);
    } catch (err) {
      failed(err, hooks.onError);
    }
  };
}
