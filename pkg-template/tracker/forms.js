import { readForm } from '../request.js';
import { safe } from './guard.js';

// Forms a site marks as requests, by markup alone (docs/tracker.md, "Forms"):
//
//   <form data-leadpulse-form="demo" method="post" action="https://leads.example.com/collect"
//         data-leadpulse-sent="#thanks" data-leadpulse-queued="#on-its-way">
//
// On submit the tracker sends what the visitor typed as a request (and stops the browser's own
// post); the form says where the request is with `data-leadpulse-state` (`sending`, `sent`,
// `queued`, `refused`) and shows the element its `data-leadpulse-<state>` attribute names
// (the form itself is hidden once the request is sent or queued). Without JavaScript, the
// same form posts itself (`method="post"`) to the collector or the edge.

/** @typedef {'sending' | 'sent' | 'queued' | 'refused'} FormState */
const STATES = /** @type {const} */ (['sending', 'sent', 'queued', 'refused']);

/**
 * What the visitor typed into `form`: its named fields, without passwords, files and hidden
 * fields other than LeadPulse's own (spam traps, tokens).
 * @param {HTMLFormElement} form
 * @param {HTMLElement | null} submitter
 */
export function formEntries(form, submitter) {
  const skip = new Set();
  for (const el of Array.from(form.elements)) {
    const input = /** @type {HTMLInputElement} */ (el);
    if (!input.name) continue;
    if (input.type === 'password' || input.type === 'file' || (input.type === 'hidden' && !input.name.startsWith('leadpulse-'))) skip.add(input.name);
  }
  /** @type {[string, FormDataEntryValue][]} */
  const entries = [];
  new FormData(form, submitter).forEach((value, name) => {
    if (!skip.has(name)) entries.push([name, value]);
  });
  return readForm(entries);
}

/**
 * Shows `state` on the form and the element named for it.
 * @param {HTMLFormElement} form
 * @param {FormState} state
 */
export function showState(form, state) {
  form.setAttribute('data-leadpulse-state', state);
  for (const s of STATES) {
    const selector = form.getAttribute('data-leadpulse-' + s);
    const el = selector ? safe(() => document.querySelector(selector), null)() : null;
    if (el instanceof HTMLElement) el.hidden = s !== state;
  }
  for (const button of Array.from(form.querySelectorAll('button, input[type=submit]'))) {
    /** @type {HTMLButtonElement} */ (button).disabled = state === 'sending';
  }
  if (state === 'sent' || state === 'queued') form.hidden = true;
}

/**
 * Listens for submits of `data-leadpulse-form` forms and hands each to `handle` (unless the
 * site's own handler already took it over with `preventDefault`).
 * @param {(form: HTMLFormElement, typed: ReturnType<typeof readForm>) => void} handle
 */
export function startForms(handle) {
  document.addEventListener('submit', safe((e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-leadpulse-form') || e.defaultPrevented) return;
    e.preventDefault();
    const typed = formEntries(form, /** @type {SubmitEvent} */ (e).submitter);
    typed.form = form.getAttribute('data-leadpulse-form') || typed.form;
    handle(form, typed);
  }));
}

