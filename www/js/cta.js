// The header call to action follows the model's per-stage action (`snapshot.action`).
export function bindCta(lp) {
  const links = [...document.querySelectorAll('[data-testid="cta"]')];
  const apply = (snap) => {
    const action = snap && snap.action;
    if (!action || !action.cta) return;
    for (const a of links) {
      if (a.textContent !== action.cta) a.textContent = action.cta;
      if (action.ctaHref) a.setAttribute('href', action.ctaHref);
      a.dataset.stage = snap.stage;
    }
  };
  lp.on('snapshot', apply);
  apply(lp.snapshot());
}
