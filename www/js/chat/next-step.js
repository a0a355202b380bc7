// How the chat ends: one concrete next step, and no promise the site cannot keep. "A person
// will reply" is said only when this visitor's summary really reaches sales: a hand-off stage
// is held (SQL, or MQL for marketing) and consent lets the tracker send it.
const BOOK = { text: 'Book a time', href: '/demo' };

/**
 * @param {object} snap the tracker's snapshot
 * @param {{ contacted: boolean, known: boolean, consent: string, requested?: boolean }} s
 *   `requested`: the e-mail typed in the chat went out as a request (it needs no consent;
 *   the chat says when the collector has it)
 * @returns {{ kind: string, text: string, link?: {text, href}, buttons?: Array<{id, text}> }}
 */
export function nextStep(snap, { contacted, known, consent, requested = false, sales = null }) {
  const stage = snap && snap.stage;
  // NOTE: sales already has this visitor (lp.sales()): no demo pitch, their rep instead.
  if (sales && sales.sales === 'with_sales') {
    const who = sales.owner ? sales.owner.firstName : 'Our team';
    const text = `${who} from our team has your request and will be in touch by e-mail.`;
    const url = sales.owner && sales.owner.bookingUrl;
    return url ? { kind: 'with-sales', text: `${text} Or pick a time now:`, link: { text: `Book a call with ${who}`, href: url } } : { kind: 'with-sales', text };
  }
  const sharing = consent === 'granted';
  if (contacted && consent === 'pending' && !requested) {
    return {
      kind: 'consent',
      text: 'To pass this on I need your OK to share a short summary with our sales team (never your browsing history).',
      buttons: [{ id: 'share', text: 'Share with sales' }],
      link: BOOK,
    };
  }
  if (stage === 'sql') {
    return {
      kind: 'book',
      // NOTE: a request sent from the chat is promised a reply only once the collector has it
      // (the chat says so on the tracker's `request` event).
      text: sharing && !requested
        ? 'You’re with our sales team now: a specialist will reply by e-mail within one business day. Or skip the wait and pick a time:'
        : 'Pick a time with a solutions engineer that suits you:',
      link: BOOK,
    };
  }
  if (contacted && requested) {
    return { kind: 'request', text: 'Thanks! I’m passing your request to our team now.', link: BOOK };
  }
  if (contacted && sharing && stage === 'mql') {
    return { kind: 'reply', text: 'Thanks! A person from our team will reply by e-mail within one business day.' };
  }
  if (!contacted && known) {
    return {
      kind: 'offer',
      text: 'Shall a specialist e-mail you, or would you rather pick a time yourself?',
      buttons: [{ id: 'contact', text: 'E-mail me' }],
      link: BOOK,
    };
  }
  const action = (snap && snap.action) || {};
  return {
    kind: 'browse',
    text: 'Thanks for chatting! When you’re ready, this is the best next step:',
    // Unknown visitors reach a person through the demo form, which asks who they are.
    link: known && action.ctaHref ? { text: action.cta || 'Learn more', href: action.ctaHref } : BOOK,
  };
}
