// Chat widget that qualifies in real time: it asks the one question LeadPulse says is most
// valuable (`nextQuestion()`), feeds the answer back (`answer(slot, value)`), and greets the
// visitor with the model's per-stage opener (`snapshot.action.chatOpener`).
import { safely } from './tracker.js';

const DEFAULT_OPENER = 'Hi! I’m Nora from Northwind. Can I help you find the right plan?';

export function mountChat(lp) {
  const launcher = el('button', { class: 'btn chat-launcher', type: 'button', 'data-testid': 'chat-open' }, 'Chat with us');
  const panel = el('section', { class: 'chat', 'aria-label': 'Chat', 'data-testid': 'chat' });
  panel.hidden = true;
  panel.innerHTML = `
    <div class="chat-head">
      <span class="avatar">N</span>
      <span><b>Nora · Northwind</b><small>Typically replies instantly</small></span>
      <button type="button" aria-label="Close chat" data-testid="chat-close">×</button>
    </div>
    <div class="chat-log" data-testid="chat-log" aria-live="polite"></div>
    <div class="chat-options" data-testid="chat-options"></div>
    <form class="chat-form" data-testid="chat-form">
      <input name="text" autocomplete="off" placeholder="Type your answer…" aria-label="Message" data-testid="chat-input">
      <button class="btn btn-sm" type="submit" data-testid="chat-send">Send</button>
    </form>`;
  document.body.append(panel, launcher);

  const log = panel.querySelector('.chat-log');
  const options = panel.querySelector('.chat-options');
  const form = panel.querySelector('form');
  let asked = null; // the question currently on screen
  let done = false; // the "that's all" message is on screen
  let lastOpener = null;

  const say = (text, who = 'bot', testid) => {
    const msg = el('div', { class: `msg msg-${who}` }, text);
    if (testid) msg.dataset.testid = testid;
    log.append(msg);
    scrollDown();
  };
  // NOTE: after the options below the log re-render, the log is shorter: scroll once laid out.
  const scrollDown = () => requestAnimationFrame(() => { log.scrollTop = log.scrollHeight; });

  const greet = () => {
    const snap = safely(() => lp.snapshot());
    const opener = (snap && snap.action && snap.action.chatOpener) || DEFAULT_OPENER;
    if (opener !== lastOpener) {
      say(opener, 'bot', 'chat-opener');
      lastOpener = opener;
    }
  };

  const ask = () => {
    options.replaceChildren();
    asked = safely(() => lp.nextQuestion());
    if (!asked) {
      if (done) return;
      done = true;
      const snap = safely(() => lp.snapshot());
      const ready = snap && (snap.stage === 'sql' || snap.stage === 'mql');
      say(ready
        ? 'Thanks, that’s everything I need. A solutions engineer will follow up — or pick a time now.'
        : 'Thanks! Ask me anything about pipelines, pricing or security.', 'bot', 'chat-done');
      if (ready && snap.action && snap.action.ctaHref) {
        options.append(el('a', { class: 'chat-option', href: snap.action.ctaHref, 'data-testid': 'chat-book' }, snap.action.cta || 'Book a demo'));
      }
      return;
    }
    done = false;
    say(asked.question, 'bot', 'chat-question');
    for (const value of asked.options || []) {
      const b = el('button', { class: 'chat-option', type: 'button', 'data-testid': 'chat-option', 'data-value': String(value) }, label(value));
      b.addEventListener('click', () => reply(value));
      options.append(b);
    }
    scrollDown();
  };

  /** Greets with the opener for the current stage and re-asks if the question on screen went stale. */
  const refresh = () => {
    greet();
    const next = safely(() => lp.nextQuestion());
    const stale = next ? !asked || next.slot !== asked.slot : !done;
    if (stale) ask();
  };

  const reply = (value) => {
    say(label(value), 'me');
    if (asked) {
      const { slot } = asked;
      asked = null; // answered: whatever comes next is a new question
      safely(() => lp.answer(slot, value));
      refresh();
    } else {
      say('Good question — a specialist will pick this up by e-mail. Anything else?');
    }
  };

  launcher.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    if (panel.hidden) return;
    refresh();
    form.elements.text.focus();
  });
  panel.querySelector('[data-testid="chat-close"]').addEventListener('click', () => { panel.hidden = true; });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = form.elements.text.value.trim();
    if (!text) return;
    form.elements.text.value = '';
    reply(text);
  });
  // A stage change (say, after a demo request) changes what the chat should open with.
  lp.on('stage', () => { if (!panel.hidden) refresh(); });
}

function label(value) {
  const s = String(value).replace(/[_-]+/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text != null) node.textContent = text;
  return node;
}
