// Chat widget that qualifies the way a good rep would: it asks the most valuable missing
// question (the engine's `nextQuestion()`, from the frameworks' missing slots), at most three
// before it moves on; asks an unknown visitor where a specialist can reply; and ends with one
// concrete next step (chat/next-step.js). Questions the visitor types go to sales in the
// summary (`track('Question Asked')`) instead of being dropped.
import { safely } from './tracker.js';
import { recall, remember } from './chat/memory.js';
import { nextStep } from './chat/next-step.js';
import { cleanQuestion, isEmail, isQuestion, label, matchOption } from './chat/typed.js';

const MAX_QUESTIONS = 3;
const DEFAULT_OPENER = 'Hi! I’m Nora from Northwind. Can I help you find the right plan?';
const KNOWN_STAGES = ['lead', 'sql']; // both need an e-mail in the built-in model; MQL does not

export function mountChat(lp) {
  const launcher = el('button', { class: 'btn chat-launcher', type: 'button', 'aria-expanded': 'false', 'data-testid': 'chat-open' }, 'Chat with us');
  const panel = el('section', { class: 'chat', 'aria-label': 'Chat with Northwind', 'data-testid': 'chat', id: 'chat-panel' });
  launcher.setAttribute('aria-controls', panel.id);
  panel.hidden = true;
  panel.innerHTML = `
    <div class="chat-head">
      <span class="avatar" aria-hidden="true">N</span>
      <span><b>Nora · Northwind</b><small>Typically replies instantly</small></span>
      <button type="button" aria-label="Close chat" data-testid="chat-close">×</button>
    </div>
    <div class="chat-log" data-testid="chat-log" role="log" aria-live="polite"></div>
    <div class="chat-options" data-testid="chat-options"></div>
    <form class="chat-form" data-testid="chat-form">
      <input name="text" autocomplete="off" maxlength="240" placeholder="Type an answer or a question…" aria-label="Message" data-testid="chat-input">
      <button class="btn btn-sm" type="submit" data-testid="chat-send">Send</button>
    </form>`;
  document.body.append(panel, launcher);

  const log = panel.querySelector('.chat-log');
  const options = panel.querySelector('.chat-options');
  const form = panel.querySelector('form');
  const input = form.elements.text;
  const memory = recall();
  // NOTE: the e-mail typed here and the questions asked, for the request only: kept in this
  // page's memory, never in storage (memory.js keeps counters and flags only).
  let email = null;
  let asked = [];
  let current = null; // on screen: { kind: 'slot', slot, options } | { kind: 'email' } | { kind: 'end' }
  let lastOpener = null;
  let turn = 0;
  // NOTE: the tracker emits `stage` synchronously inside track()/answer()/identify(). While
  // the chat itself is acting, the action's own follow-up says what comes next; the listener
  // must not say it a second time.
  let busy = false;
  const act = (fn) => (...args) => {
    busy = true;
    try {
      fn(...args);
    } finally {
      busy = false;
    }
  };

  const save = () => remember(memory);
  const snap = () => safely(() => lp.snapshot());
  const consent = () => safely(() => lp.consent(), 'pending');
  const known = () => memory.emailGiven || KNOWN_STAGES.includes(snap()?.stage);

  // NOTE: data-state / data-turn let tests (and assistive tooling) see what the chat waits for.
  const setState = (state, slot = '') => {
    panel.dataset.state = state;
    panel.dataset.slot = slot;
    panel.dataset.turn = String(++turn);
  };
  const say = (text, who = 'bot', testid) => {
    const msg = el('div', { class: `msg msg-${who}` }, text);
    if (testid) msg.dataset.testid = testid;
    log.append(msg);
    scrollDown();
    return msg;
  };
  // NOTE: after the options below the log re-render, the log is shorter: scroll once laid out.
  const scrollDown = () => requestAnimationFrame(() => { log.scrollTop = log.scrollHeight; });
  const button = (text, onClick, attrs = {}) => {
    const b = el('button', { class: 'chat-option', type: 'button', ...attrs }, text);
    b.addEventListener('click', onClick);
    options.append(b);
  };

  const opener = () => snap()?.action?.chatOpener || DEFAULT_OPENER;
  const greet = () => {
    const text = opener();
    if (text !== lastOpener) {
      say(text, 'bot', 'chat-opener');
      lastOpener = text;
    }
  };

  const askSlot = (q) => {
    memory.asked += 1;
    save();
    current = { kind: 'slot', slot: q.slot, options: q.options || [] };
    const msg = say(q.question, 'bot', 'chat-question');
    msg.dataset.slot = q.slot;
    for (const value of current.options) {
      button(label(value), act(() => answer(value)), { 'data-testid': 'chat-option', 'data-value': String(value) });
    }
    input.placeholder = current.options.length ? 'Or type a question…' : 'Type your answer…';
    setState('question', q.slot);
  };

  const askEmail = () => {
    memory.emailAsked = true;
    save();
    current = { kind: 'email' };
    say('What’s the best work e-mail for a specialist to reply to?', 'bot', 'chat-email-prompt');
    button('Skip', act(() => { say('Skip', 'me'); current = null; advance(); }), { 'data-testid': 'chat-skip' });
    input.placeholder = 'you@company.com';
    setState('email');
  };

  const step = () => nextStep(snap(), {
    contacted: memory.contacted, known: known(), consent: consent(), requested: email !== null,
    sales: safely(() => lp.sales(), null),
  });

  const end = (next) => {
    current = { kind: 'end', next: next.kind };
    const msg = say(next.text, 'bot', 'chat-next-step');
    msg.dataset.next = next.kind;
    for (const b of next.buttons || []) {
      button(b.text, act(() => choose(b.id)), { 'data-testid': `chat-${b.id}` });
    }
    if (next.link) {
      options.append(el('a', { class: 'chat-option chat-link', href: next.link.href, 'data-testid': 'chat-book' }, next.link.text));
    }
    input.placeholder = 'Anything you’d like sales to know?';
    setState('done');
  };

  /** What comes next: a question (at most three), the e-mail, or the next step. */
  const plan = () => {
    const q = memory.asked < MAX_QUESTIONS ? safely(() => lp.nextQuestion()) : null;
    if (q) return { kind: 'question', q };
    if (!known() && !memory.emailAsked) return { kind: 'email' };
    return { kind: 'end', next: step() };
  };

  const advance = () => {
    options.replaceChildren();
    const next = plan();
    if (next.kind === 'question') askSlot(next.q);
    else if (next.kind === 'email') askEmail();
    else end(next.next);
  };

  /**
   * A hand-raise: the visitor asked to be contacted. With the e-mail they typed here it is a
   * request (sent whatever the analytics consent, with the questions they asked as its
   * message); the engine hears of it either way (the model's `contact_sales` rule).
   */
  const contact = () => {
    memory.contacted = true;
    save();
    if (email) {
      const message = asked.join('\n');
      safely(() => lp.request('chat', message ? { email, message } : { email }));
    }
    safely(() => lp.track('Form Submitted', { form: 'contact_sales', channel: 'chat' }));
  };

  const choose = (id) => {
    if (id === 'contact') {
      say('E-mail me', 'me');
      contact();
    } else if (id === 'share') {
      say('Share with sales', 'me');
      safely(() => lp.consent('granted'));
    }
    advance();
  };

  /** Records a slot answer; `echo` repeats a clicked choice in the log (typed text is there already). */
  const answer = (value, echo = true) => {
    if (echo) say(label(value), 'me');
    const { slot } = current;
    current = null;
    safely(() => lp.answer(slot, value));
    advance();
  };

  /** A question for sales: carried in the summary, acknowledged, and the conversation goes on. */
  const question = (text) => {
    const q = cleanQuestion(text);
    if (!q) return;
    safely(() => lp.track('Question Asked', { question: q }));
    asked = [...asked, q].slice(-5);
    say('Good question — I’ve noted it for the specialist who follows up with you.', 'bot', 'chat-ack');
    panel.dataset.turn = String(++turn);
  };

  const typed = (text) => {
    say(text, 'me');
    if (current && current.kind === 'email' && isEmail(text)) {
      current = null;
      memory.emailGiven = true;
      email = text.trim();
      save();
      safely(() => lp.identify({ email }));
      contact();
      advance();
    } else if (current && current.kind === 'email' && !isQuestion(text)) {
      say('That doesn’t look like an e-mail address — try again, or skip.', 'bot', 'chat-retry');
      panel.dataset.turn = String(++turn);
    } else if (current && current.kind === 'slot' && !isQuestion(text)) {
      const option = current.options.length ? matchOption(text, current.options) : text;
      if (option !== undefined) answer(option, false);
      else question(text); // not one of the choices: a note for sales rather than a lost line
    } else {
      question(text);
    }
  };

  /** On (re)open, or when the stage changed: greet anew; replace a question another signal answered. */
  const refresh = () => {
    greet();
    if (!current) {
      advance();
      return;
    }
    const filled = current.kind === 'slot' && Object.values(snap()?.frameworks || {}).some((f) => f.filled.includes(current.slot));
    const nowKnown = current.kind === 'email' && known();
    const ahead = current.kind === 'end' ? plan() : null;
    const moved = ahead && (ahead.kind !== 'end' || ahead.next.kind !== current.next);
    if (filled || nowKnown || moved) {
      current = null;
      advance();
    }
  };

  const open = (show) => {
    panel.hidden = !show;
    launcher.setAttribute('aria-expanded', String(show));
    if (!show) return;
    refresh();
    input.focus();
  };
  launcher.addEventListener('click', () => open(panel.hidden));
  panel.querySelector('[data-testid="chat-close"]').addEventListener('click', () => { open(false); launcher.focus(); });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    act(typed)(text);
  });
  // What became of the request the chat sent: said only once the collector has it.
  lp.on('request', ({ request, state }) => {
    if (request.form !== 'chat') return;
    if (state === 'sent') say('Done — a person from our team will reply by e-mail within one business day.', 'bot', 'chat-request-sent');
    else if (state === 'queued') say('We couldn’t reach our team just now; this browser will send your request as soon as it can.', 'bot', 'chat-request-queued');
    else say('Your request could not be sent — please check the e-mail address.', 'bot', 'chat-request-refused');
    panel.dataset.turn = String(++turn);
  });
  // A stage change (say, after a demo request) changes what the chat should open with.
  lp.on('stage', () => {
    if (busy) lastOpener = opener(); // the chat's own step: its follow-up covers it
    else if (!panel.hidden) refresh();
  });
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text != null) node.textContent = text;
  return node;
}
