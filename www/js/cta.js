// The header call to action follows the model's per-stage action (`snapshot.action`) — unless
// sales already has the visitor: then no demo pitch, but their rep and the rep's booking page
// (`lp.sales()`); a lead sales
// sent back gets the nurture path; a customer gets the help they came for.
const SALES_CTA = {
  with_sales: (owner) => {
    // The rep's own booking page when the team published one (`--owner NAME=URL`).
    if (owner && owner.bookingUrl) return { cta: `Book a call with ${owner.firstName}`, ctaHref: owner.bookingUrl };
    return { cta: owner ? `Your contact: ${owner.firstName}` : 'Our team has your request', ctaHref: '/case-studies/' };
  },
  recycled: () => ({ cta: 'Read the guide', ctaHref: '/blog/lead-scoring-guide' }),
  customer: () => ({ cta: 'See integrations', ctaHref: '/integrations' }),
};

export function bindCta(lp) {
  const links = [...document.querySelectorAll('[data-testid="cta"]')];
  const apply = () => {
    const snap = lp.snapshot();
    const sales = typeof lp.sales === 'function' ? lp.sales() : null;
    const bySales = sales && SALES_CTA[sales.sales];
    const action = bySales ? bySales(sales.owner) : snap && snap.action;
    if (!action || !action.cta) return;
    for (const a of links) {
      if (a.textContent !== action.cta) a.textContent = action.cta;
      if (action.ctaHref) a.setAttribute('href', action.ctaHref);
      a.dataset.stage = snap ? snap.stage : '';
      a.dataset.sales = sales ? sales.sales : '';
    }
  };
  lp.on('snapshot', apply);
  lp.on('sales', apply);
  apply();
}

// After a demo request: once the tracker learns which rep has the visitor, and the team
// published that rep's booking page, the thank-you note offers it — a time now, not an e-mail
// tomorrow. Text and link are set as properties (the URL is checked by the tracker: http(s)).
export function bindOwnerBooking(lp) {
  const slot = document.querySelector('[data-testid="demo-book-owner"]');
  if (!slot) return;
  const apply = () => {
    const sales = typeof lp.sales === 'function' ? lp.sales() : null;
    const owner = sales && sales.sales === 'with_sales' ? sales.owner : null;
    const link = slot.querySelector('a');
    slot.hidden = !(owner && owner.bookingUrl);
    if (slot.hidden) return;
    link.textContent = `Pick a time with ${owner.firstName} now`;
    link.href = owner.bookingUrl;
  };
  lp.on('sales', apply);
  apply();
}
