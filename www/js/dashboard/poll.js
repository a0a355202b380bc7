// Calls `fn` now and then every `everyMs` (or as `every` sets) after it settles, never two at
// once; pauses while the tab is hidden (nobody is looking, and a background tab should not
// load the server) and catches up at once when it is shown again.
export function poller(fn, everyMs) {
  let wait = everyMs;
  let timer = null;
  let running = false;
  let again = false; // asked to run while running: run once more right after
  let on = false;

  const schedule = () => {
    clearTimeout(timer);
    timer = on && !document.hidden ? setTimeout(tick, wait) : null;
  };
  const tick = async () => {
    clearTimeout(timer);
    timer = null;
    if (!on) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await fn();
    } finally {
      running = false;
      if (again) {
        again = false;
        tick();
      } else {
        schedule();
      }
    }
  };
  document.addEventListener('visibilitychange', () => (document.hidden ? schedule() : tick()));

  return {
    start() { on = true; tick(); },
    stop() { on = false; clearTimeout(timer); timer = null; },
    /** Refresh now (after an action or a filter change). */
    now: tick,
    /** From the next wait on, every `ms` (seldom while changes are pushed, often when not). */
    every(ms) {
      if (ms === wait) return;
      wait = ms;
      if (timer) schedule();
    },
  };
}
