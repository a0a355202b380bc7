// The demo request form: identifies the visitor with Segment trait names, then tracks the request.
import { safely } from './tracker.js';

export function mountDemoForm(whenTracker) {
  const form = document.querySelector('#demo-form');
  if (!form) return;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!form.checkValidity()) {
      form.reportValidity();
      return;
    }
    const f = new FormData(form);
    const traits = {
      email: f.get('email').trim(),
      name: f.get('name').trim(),
      title: f.get('title').trim(),
      company: {
        name: f.get('company').trim(),
        employee_count: Number(f.get('employee_count')),
        industry: f.get('industry'),
      },
    };
    try {
      const lp = await whenTracker(3000);
      safely(() => lp.identify(traits));
      safely(() => lp.track('Demo Requested', { form: 'demo' }));
    } catch {
      // Tracker blocked: the request still goes through (a real site would POST it to its CRM).
    }
    form.hidden = true;
    form.parentElement.querySelector('[data-testid="demo-success"]').hidden = false;
  });
}
